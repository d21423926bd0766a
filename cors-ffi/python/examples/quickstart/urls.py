# The API: GET /users answers a JSON list.
from django.http import JsonResponse
from django.urls import path


def users(request):
    return JsonResponse([{"name": "ada"}], safe=False)


urlpatterns = [path("users", users)]
