"""Sample earlier-rounds files that agree with the February 2022 board report, and the
script that made them (``generate``)."""
