"""Second factor at sign-in: TOTP (django-otp's algorithm), SMS codes and recovery codes, one
interface (providers.py).

SESSION_KEY is the contract with the SSO app: the session key holds the name of the provider
that verified this session ("totp", "sms", "recovery", "sso"); a truthy value means verified.
"""

SESSION_KEY = "fuyuan_second_factor"
