"""Django settings and URLconf of the corsc.django tests.

``base`` is a settings module (also usable as ``DJANGO_SETTINGS_MODULE``
for ``django-admin check``), ``urls`` the URLconf, ``matrix`` the
django-cors-headers configurations of the differential test.
"""
