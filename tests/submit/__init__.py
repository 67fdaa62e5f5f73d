"""Tests of the submit stage and of the ENS emulator it runs against."""
