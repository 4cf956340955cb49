from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"
API_LANGUAGE = "en"


class LanguageMiddleware:
    """Indonesian first: the language is the one the person chose with the switcher (its cookie),
    else Indonesian; a phone's browser language does not decide it. Replaces LocaleMiddleware.

    The platform API is read by engineers whose docs are in English: it answers in English unless
    the client asks for a supported language with Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            language = self._api_language(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Accept-Language" if request.path.startswith(API_PREFIX) else "Cookie")
        return response

    def _api_language(self, request) -> str:
        for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
            base = code.split("-")[0].lower()
            if base in self.supported:
                return base
        return API_LANGUAGE
