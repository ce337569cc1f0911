"""Replies the service gives in its own words, in the site's language."""

_NOT_COVERED = {
    "en": "I couldn't find that in this site's information, so I'd rather not guess. "
    "If you leave your contact details, someone from the team will get back to you.",
    "es": "No encuentro eso en la información de este sitio y prefiero no adivinar. "
    "Si deja sus datos de contacto, alguien del equipo le responderá.",
    "fr": "Je ne trouve pas cela dans les informations de ce site et je préfère ne pas deviner. "
    "Laissez vos coordonnées et quelqu'un de l'équipe vous répondra.",
    "de": "Dazu finde ich nichts in den Informationen dieser Website, und ich möchte nicht raten. "
    "Hinterlassen Sie Ihre Kontaktdaten, dann meldet sich jemand aus dem Team.",
    "pt": "Não encontrei isso nas informações deste site e prefiro não adivinhar. "
    "Deixe seus contatos e alguém da equipe vai responder.",
    "it": "Non trovo questa informazione nel sito e preferisco non tirare a indovinare. "
    "Lascia i tuoi contatti e qualcuno del team ti risponderà.",
    "nl": "Dat staat niet in de informatie van deze site, en ik gok liever niet. "
    "Laat uw contactgegevens achter, dan neemt iemand van het team contact op.",
}

_UNAVAILABLE = {
    "en": "Sorry, I can't answer right now. Please try again in a moment, or leave your contact details.",
    "es": "Lo siento, ahora no puedo responder. Inténtelo de nuevo en un momento o deje sus datos de contacto.",
    "fr": "Désolé, je ne peux pas répondre pour le moment. Réessayez dans un instant ou laissez vos coordonnées.",
    "de": "Entschuldigung, ich kann gerade nicht antworten. Versuchen Sie es gleich noch einmal "
    "oder hinterlassen Sie Ihre Kontaktdaten.",
    "pt": "Desculpe, não consigo responder agora. Tente de novo daqui a pouco ou deixe seus contatos.",
    "it": "Mi dispiace, ora non riesco a rispondere. Riprova tra un momento o lascia i tuoi contatti.",
    "nl": "Sorry, ik kan nu niet antwoorden. Probeer het zo opnieuw of laat uw contactgegevens achter.",
}

_GREETING = {
    "en": "Hello! What would you like to know?",
    "es": "¡Hola! ¿Qué le gustaría saber?",
    "fr": "Bonjour ! Que voulez-vous savoir ?",
    "de": "Hallo! Was möchten Sie wissen?",
    "pt": "Olá! O que gostaria de saber?",
    "it": "Ciao! Che cosa vorresti sapere?",
    "nl": "Hallo! Wat wilt u weten?",
}

_GOODBYE = {
    "en": "Our time for this call is up. Thank you for calling, goodbye!",
    "es": "Se ha terminado el tiempo de esta llamada. Gracias por llamar, ¡adiós!",
    "fr": "Le temps de cet appel est écoulé. Merci de votre appel, au revoir !",
    "de": "Die Zeit für dieses Gespräch ist um. Danke für Ihren Anruf, auf Wiederhören!",
    "pt": "O tempo desta chamada acabou. Obrigado pela chamada, até logo!",
    "it": "Il tempo di questa chiamata è finito. Grazie per aver chiamato, arrivederci!",
    "nl": "De tijd voor dit gesprek is om. Bedankt voor uw oproep, tot ziens!",
}

_NOTHING_HEARD = {
    "en": "Sorry, I didn't catch that. Please try again, a little closer to the microphone.",
    "es": "Perdone, no le he entendido. Inténtelo de nuevo, un poco más cerca del micrófono.",
    "fr": "Désolé, je n'ai pas compris. Réessayez, un peu plus près du micro.",
    "de": "Entschuldigung, das habe ich nicht verstanden. Versuchen Sie es noch einmal, etwas näher am Mikrofon.",
    "pt": "Desculpe, não entendi. Tente de novo, um pouco mais perto do microfone.",
    "it": "Scusa, non ho capito. Riprova, un po' più vicino al microfono.",
    "nl": "Sorry, dat verstond ik niet. Probeer het nog eens, iets dichter bij de microfoon.",
}

_SILENT = {
    "en": "I can't speak right now, so here is my answer in writing.",
    "es": "Ahora no puedo hablar, así que le dejo la respuesta por escrito.",
    "fr": "Je ne peux pas parler pour le moment, voici donc ma réponse par écrit.",
    "de": "Ich kann gerade nicht sprechen, deshalb antworte ich schriftlich.",
    "pt": "Não consigo falar agora, então deixo a resposta por escrito.",
    "it": "Ora non riesco a parlare, quindi ti rispondo per iscritto.",
    "nl": "Ik kan nu niet spreken, dus hier is mijn antwoord op schrift.",
}


def not_covered(language: str) -> str:
    return _in(language, _NOT_COVERED)


def unavailable(language: str) -> str:
    return _in(language, _UNAVAILABLE)


def nothing_heard(language: str) -> str:
    return _in(language, _NOTHING_HEARD)


def silent(language: str) -> str:
    return _in(language, _SILENT)


def greeting(language: str) -> str:
    return _in(language, _GREETING)


def goodbye(language: str) -> str:
    return _in(language, _GOODBYE)


def _in(language: str, replies: dict[str, str]) -> str:
    return replies.get(language, replies["en"])
