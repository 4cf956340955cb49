from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from .exceptions import error_body

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


class RejectNulMiddleware:
    """A NUL character in the path (or, for the API, in the query string) is refused with 400
    before any view runs: PostgreSQL cannot compare text with U+0000, so it would otherwise surface
    as a server error. Pages' own forms clean their query strings (the catalogue search drops it),
    and form and API bodies are covered by the fields' null-character validators."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith(API_PREFIX)
        if "\x00" in request.path or (api and any(
                "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())):
            message = translation.gettext("The address contains a character that is not allowed.")
            if api:
                return JsonResponse(error_body("invalid_request", message), status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
