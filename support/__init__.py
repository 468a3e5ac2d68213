"""What the tests and the benchmark both need to run the app for real: the
Cloudron environment, a mail client's Autodiscover request, free loopback
addresses, gunicorn started with the production config, the process tree's
CPU and memory, and the bubblewrap re-creation of Cloudron's runtime.

One direction only: tests/ and bench/ import this package; it imports
neither of them, nor the app (the benchmark must run without the app's
dependencies), and uses the standard library alone.
"""
