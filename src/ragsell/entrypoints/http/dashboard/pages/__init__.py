"""The dashboard's HTML pages: server-rendered with Jinja, a little JavaScript on top.

Every page is made by the same use cases as the JSON API, under the same session cookie;
forms send the CSRF token as a hidden field (see ``security.sent_csrf_token``).
"""
