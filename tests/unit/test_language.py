"""Language identification: the checker warns when a policy is not in a language it knows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.language import (
    LanguageGuess,
    count_function_words,
    detect_language,
    odd_characters,
)

# Two or three sentences in the style of a privacy policy, written for these tests.
POLICIES = {
    "en": "We collect your personal data only when it is necessary for the services you use. "
    "You can ask us at any time to delete the information we hold about you. If you have "
    "questions about this policy, please contact our data protection officer.",
    "sv": "Vi samlar in dina personuppgifter endast när det är nödvändigt för de tjänster som du "
    "använder. Du kan när som helst begära att vi raderar de uppgifter vi har om dig. Om du har "
    "frågor om denna policy kan du kontakta vårt dataskyddsombud.",
    "de": "Wir erheben Ihre personenbezogenen Daten nur, wenn dies für die von Ihnen genutzten "
    "Dienste erforderlich ist. Sie können uns jederzeit auffordern, die über Sie gespeicherten "
    "Informationen zu löschen. Bei Fragen zu dieser Erklärung wenden Sie sich bitte an unseren "
    "Datenschutzbeauftragten.",
    "fr": "Nous collectons vos données personnelles uniquement lorsque cela est nécessaire pour "
    "les services que vous utilisez. Vous pouvez à tout moment nous demander de supprimer les "
    "informations que nous détenons à votre sujet. Pour toute question sur cette politique, "
    "veuillez contacter notre délégué à la protection des données.",
    "nl": "Wij verzamelen uw persoonsgegevens alleen wanneer dat nodig is voor de diensten die u "
    "gebruikt. U kunt ons op elk moment vragen om de informatie die wij over u bewaren te "
    "verwijderen. Als u vragen heeft over dit beleid, neem dan contact op met onze functionaris "
    "voor gegevensbescherming.",
    "es": "Recogemos sus datos personales solo cuando es necesario para los servicios que usted "
    "utiliza. Puede pedirnos en cualquier momento que eliminemos la información que tenemos "
    "sobre usted. Si tiene preguntas sobre esta política, póngase en contacto con nuestro "
    "delegado de protección de datos.",
    "it": "Raccogliamo i tuoi dati personali solo quando è necessario per i servizi che utilizzi. "
    "Puoi chiederci in qualsiasi momento di cancellare le informazioni che conserviamo su di te. "
    "Per domande su questa informativa, contatta il nostro responsabile della protezione dei "
    "dati.",
    "da": "Vi indsamler kun dine personoplysninger, når det er nødvendigt for de tjenester, du "
    "bruger. Du kan til enhver tid bede os om at slette de oplysninger, vi har om dig. Hvis du "
    "har spørgsmål til denne politik, kan du kontakte vores databeskyttelsesrådgiver.",
    "fi": "Keräämme henkilötietojasi vain silloin, kun se on tarpeen käyttämiesi palvelujen "
    "kannalta. Voit milloin tahansa pyytää meitä poistamaan tiedot, joita säilytämme sinusta. "
    "Jos sinulla on kysyttävää tästä käytännöstä, ota yhteyttä tietosuojavastaavaamme.",
    "pl": "Zbieramy Twoje dane osobowe tylko wtedy, gdy jest to niezbędne do świadczenia usług, "
    "z których korzystasz. W każdej chwili możesz poprosić nas o usunięcie informacji, które o "
    "Tobie przechowujemy. Jeśli masz pytania dotyczące tej polityki, skontaktuj się z naszym "
    "inspektorem ochrony danych.",
    "pt": "Recolhemos os seus dados pessoais apenas quando isso é necessário para os serviços que "
    "utiliza. Pode pedir-nos a qualquer momento que eliminemos as informações que temos sobre "
    "si. Se tiver dúvidas sobre esta política, contacte o nosso encarregado da proteção de "
    "dados.",
    # Close neighbours of the languages above, so that those are not won by default.
    "no": "Vi samler inn personopplysningene dine bare når det er nødvendig for tjenestene du "
    "bruker. Du kan når som helst be oss om å slette opplysningene vi har om deg.",
    "cs": "Vaše osobní údaje zpracováváme pouze tehdy, když je to nezbytné pro služby, které "
    "používáte. Můžete nás kdykoli požádat o výmaz údajů, které o vás uchováváme.",
    "sk": "Vaše osobné údaje spracúvame len vtedy, keď je to nevyhnutné pre služby, ktoré "
    "používate. Kedykoľvek nás môžete požiadať o vymazanie údajov, ktoré o vás uchovávame.",
    "el": "Συλλέγουμε τα προσωπικά σας δεδομένα μόνο όταν είναι απαραίτητο για τις υπηρεσίες "
    "που χρησιμοποιείτε.",
    "bg": "Събираме вашите лични данни само когато това е необходимо за услугите, които "
    "използвате.",
}


@pytest.mark.parametrize("code, text", POLICIES.items(), ids=list(POLICIES))
def test_detects_the_language_of_a_short_policy(code: str, text: str) -> None:
    guess = detect_language(text)
    assert guess.code == code
    assert 0.0 < guess.confidence <= 1.0


@pytest.mark.parametrize("code, text", POLICIES.items(), ids=list(POLICIES))
def test_case_and_layout_do_not_matter(code: str, text: str) -> None:
    assert detect_language("# " + text.upper().replace(". ", ".\n\n- ")).code == code


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t", "1234 5678 2024-05-01 +46 8 123 45 67", "https://example.com/privacy", "the"],
    ids=["empty", "whitespace", "digits", "url", "one-word"],
)
def test_too_little_text_is_undetermined(text: str) -> None:
    assert detect_language(text) == LanguageGuess("und", 0.0)


def test_only_the_first_max_chars_are_read() -> None:
    text = POLICIES["sv"] + " " + POLICIES["en"] * 20
    assert detect_language(text, max_chars=len(POLICIES["sv"])).code == "sv"
    assert detect_language(text).code == "en"


def test_clearer_text_gets_higher_confidence() -> None:
    mixed = POLICIES["en"] + " " + POLICIES["de"]
    assert detect_language(POLICIES["en"]).confidence > detect_language(mixed).confidence


def test_is_deterministic() -> None:
    text = " ".join(POLICIES.values())
    guesses = {detect_language(text) for _ in range(5)}
    assert len(guesses) == 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_valid_guess(text: str) -> None:
    guess = detect_language(text)
    assert guess.code == "und" or len(guess.code) == 2
    assert 0.0 <= guess.confidence <= 1.0


# --- helpers the decoder uses to tell a right code page from a wrong one ----------------


@pytest.mark.parametrize(
    "right, wrong",
    [
        ("Můžete nás kdykoli požádat o výmaz údajů, které o vás uchováváme při zpracování.",
         "Mùžete nás kdykoli požádat o výmaz údajù, které o vás uchováváme pøi zpracování."),
        ("Możesz poprosić nas o usunięcie informacji, które o Tobie przechowujemy.",
         "Mo¿esz poprosiæ nas o usuniêcie informacji, które o Tobie przechowujemy."),
        ("Nous traitons vos données “personnelles” à votre demande.",
         "Nous traitons vos données \x93personnelles\x94 ŕ votre demande."),
    ],
    ids=["cs-as-cp1252", "pl-as-cp1252", "fr-as-cp1250"],
)  # fmt: skip
def test_wrong_decodings_have_more_odd_characters(right: str, wrong: str) -> None:
    assert odd_characters(right) < odd_characters(wrong)


def test_count_function_words() -> None:
    assert count_function_words("Wir löschen die Daten für Sie") == 4  # wir, die, für, sie
    assert count_function_words("Wir lцschen die Daten fьr Sie") == 3  # read as cp1251
