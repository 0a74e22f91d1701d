"""Runs one e2e test file for ctest: fails when a test fails and also when the file holds no test, so a
suite that silently runs nothing cannot pass."""
import os
import sys
import unittest


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: run.py tests/e2e/test_NAME.py")
    path = sys.argv[1]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    suite = unittest.defaultTestLoader.loadTestsFromName(os.path.splitext(os.path.basename(path))[0])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if result.testsRun == 0:
        sys.exit(f"{path}: no test ran")
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
