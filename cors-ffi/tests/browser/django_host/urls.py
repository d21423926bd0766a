"""One catch-all view: the request, forwarded to the suite's upstream
(http.client, so that redirects come back to the browser as they are)."""

import http.client
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

# Headers the upstream must not see twice or that describe this hop.
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@csrf_exempt
def forward(request):
    upstream = urlsplit(settings.CORSC_UPSTREAM)
    connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=10)
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP}
    connection.request(request.method, request.get_full_path(), body=request.body or None, headers=headers)
    answer = connection.getresponse()
    response = HttpResponse(answer.read(), status=answer.status)
    for name, value in answer.getheaders():
        if name.lower() not in HOP:
            response[name] = value
    connection.close()
    return response


urlpatterns = [re_path(r"", forward)]
