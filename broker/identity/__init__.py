"""Identity: organisations, professionals, partner systems, OAuth2/OIDC (authlib)."""

import warnings

from authlib.deprecate import AuthlibDeprecationWarning

# authlib 1.9 announces a move of its httpx integration to "httpx2"; httpx is what we use.
warnings.filterwarnings("ignore", message="The httpx module is deprecated",
                        category=AuthlibDeprecationWarning)
