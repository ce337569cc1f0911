"""What the voice agent says in its own words, in the site's language."""

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


def greeting(language: str) -> str:
    return _GREETING.get(language, _GREETING["en"])


def goodbye(language: str) -> str:
    return _GOODBYE.get(language, _GOODBYE["en"])
