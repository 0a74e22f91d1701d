"""Every bundled example, pushed as a user would (`wharf push` in its folder, manifest and all), is staged by
its buildpack inside a container, started by the cell, and answers through the router with its greeting."""
import os
import time
import unittest

from harness import EXAMPLES, PlatformTest

# folder -> (app name from its manifest, text its page must contain)
EXAMPLES_EXPECTED = {
    "static-site": ("hello", "Hello from Wharf"),
    "nginx": ("hello-nginx", "Hello from nginx on Wharf"),
    "nodejs": ("hello-node", "Hello from Node.js on Wharf"),
    "python": ("hello-python", "Hello from Python"),
    "go": ("hello-go", "Hello from Go"),
    "ruby": ("hello-ruby", "Hello from Ruby"),
    "java": ("hello-java", "Hello from Java"),
    "php": ("hello-php", "Hello from PHP"),
    "binary": ("hello-binary", "Hello from a binary on Wharf"),
}


class ExamplesTest(PlatformTest):
    strict_cleanup = True

    def test_every_example_is_staged_run_and_routed(self):
        self.assertEqual(sorted(EXAMPLES_EXPECTED), sorted(d for d in os.listdir(EXAMPLES)
                                                           if os.path.isdir(os.path.join(EXAMPLES, d))),
                         "every example folder needs an entry here")
        for folder, (name, text) in EXAMPLES_EXPECTED.items():
            with self.subTest(example=folder):
                started = time.monotonic()
                r = self.p.wharf("push", cwd=os.path.join(EXAMPLES, folder), expect=None, timeout=300)
                self.assertEqual(r.code, 0, f"{r}\n--- wharfd log\n{self.p.daemon_log()}")
                url = f"http://{name}.localhost:{self.p.router_port}"
                self.assertIn(f"App {name} is available at {url}", r.out)
                self.assertIn("[STG/0]", r.out)
                status, _headers, body = self.get(f"{name}.localhost")
                body = body.decode(errors="replace")
                self.assertEqual(status, 200, body[:500])
                self.assertIn(text, body)
                print(f"{folder}: pushed and answering in {time.monotonic() - started:.1f}s")
                # Free the memory before the next one: the suite runs on small machines.
                self.p.wharf("stop", name)
                self.wait_for_status(f"{name}.localhost", 503, timeout=15)


if __name__ == "__main__":
    unittest.main()
