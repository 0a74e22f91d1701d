"""Tasks, as Cloud Foundry v3 has them: one-off containers from an app's droplet with its environment and
bindings. Exit status 0 and non-zero, the output in the app's logs, a task past its memory limit failed as
OOM, terminate-task, the app's environment and VCAP_SERVICES, and a task running when wharfd is killed
failed with a reason at the next start. One wharfd for the whole file; cleanup is strict: a task container
left behind fails it."""
import json
import signal
import time
import unittest

from harness import SharedPlatformTest

APP = "tasky"


class TasksTest(SharedPlatformTest):
    @classmethod
    def prepare_platform(cls):
        cls.p.push_python_app(APP)
        cls.p.wharf("set-env", APP, "GREETING", "hello-env")
        cls.p.wharf("cups", "creds", "-p", '{"secret":"s3cr3t-value"}')
        cls.p.wharf("bind-service", APP, "creds")

    # --- helpers -------------------------------------------------------------------------------

    def app_guid(self):
        status, body = self.p.api("GET", "/v1/apps?names=" + APP)
        self.assertEqual(status, 200, body)
        return body["resources"][0]["guid"]

    def tasks(self):
        status, body = self.p.api("GET", f"/v1/apps/{self.app_guid()}/tasks?per_page=100")
        self.assertEqual(status, 200, body)
        return body["resources"]

    def task(self, name):
        found = [t for t in self.tasks() if t["name"] == name]
        self.assertEqual(len(found), 1, self.tasks())
        return found[0]

    def run_task(self, *args):
        r = self.p.wharf("run-task", APP, *args)
        self.assertIn("Task has been submitted successfully for execution.", r.out)
        return r

    def finished(self, name, timeout=60):
        return self.poll(f"task {name} finished",
                         lambda: (lambda t: t if t["state"] in ("SUCCEEDED", "FAILED") else None)(self.task(name)),
                         timeout=timeout)

    def task_containers(self):
        return [c for c in self.p.container_ids() if c.startswith("task-")]

    def logs(self):
        return self.p.wharf("logs", APP, "--recent").out

    # --- tests ---------------------------------------------------------------------------------
    def test_a_task_that_exits_0_succeeds_and_its_output_is_in_the_logs(self):
        r = self.run_task("--command", "echo hello-from-task; echo second line", "--name", "hello")
        self.assertRegex(r.out, r"task name:\s+hello")
        t = self.finished("hello")
        self.assertEqual(t["state"], "SUCCEEDED", t)
        self.assertEqual(t["exit_status"], 0)
        self.assertIsNone(t["result"]["failure_reason"])
        self.assertIsNotNone(t["started_at"])
        logs = self.poll("the task's output in the logs",
                         lambda: (lambda l: l if "hello-from-task" in l else None)(self.logs()), timeout=10)
        lines = [line for line in logs.splitlines() if "[APP/TASK/hello/0]" in line]
        self.assertTrue(any("OUT hello-from-task" in line for line in lines), logs)
        self.assertTrue(any("OUT second line" in line for line in lines), logs)
        self.assertTrue(any("OUT Exit status 0" in line for line in lines), logs)
        self.assertEqual(self.task_containers(), [])  # removed once finished
        out = self.p.wharf("tasks", APP).out
        self.assertRegex(out, r"(?m)^\d+\s+hello\s+SUCCEEDED\s+\S+\s+echo hello-from-task")
        status, events = self.p.api("GET", f"/v1/events?target_guid={self.app_guid()}&per_page=200")
        types = [e["type"] for e in events["resources"] if e["data"].get("task_guid") == t["guid"]]
        self.assertIn("task-created", types)
        self.assertIn("task-succeeded", types)

    def test_a_task_that_exits_non_zero_fails_with_its_exit_status(self):
        self.run_task("--command", "echo about to fail; exit 3", "--name", "fails")
        t = self.finished("fails")
        self.assertEqual(t["state"], "FAILED", t)
        self.assertEqual(t["exit_status"], 3)
        self.assertEqual(t["result"]["failure_reason"], "Exited with status 3")
        out = self.p.wharf("tasks", APP).out
        self.assertRegex(out, r"(?m)^\d+\s+fails\s+FAILED\s.*Exited with status 3")
        status, events = self.p.api("GET", f"/v1/events?target_guid={self.app_guid()}&type=task-failed&per_page=200")
        self.assertTrue(any(e["data"].get("exit_status") == 3 for e in events["resources"]), events)

    def test_a_task_sees_the_apps_environment_and_bindings_and_runs_as_the_apps_user(self):
        script = ('test "$GREETING" = hello-env && echo "$VCAP_SERVICES" | grep -q s3cr3t-value && '
                  'test -n "$VCAP_APPLICATION" && echo "uid=$(id -u) pwd=$(pwd)"')
        self.run_task("--command", script, "--name", "envcheck")
        t = self.finished("envcheck")
        self.assertEqual(t["state"], "SUCCEEDED", (t, self.logs()))
        logs = self.poll("the task's uid in the logs",
                         lambda: (lambda l: l if "uid=" in l else None)(self.logs()), timeout=10)
        self.assertIn("[APP/TASK/envcheck/0] OUT uid=2000 pwd=/home/vcap/app", logs)

    def test_a_task_past_its_memory_limit_is_failed_as_oom(self):
        self.run_task("--command", "python3 -c \"b = b'x' * (400 * 1024 * 1024); print(len(b))\"",
                      "--name", "hog", "-m", "64M")
        t = self.finished("hog")
        self.assertEqual(t["state"], "FAILED", t)
        self.assertEqual(t["memory_in_mb"], 64)
        self.assertIn("OOM killed", t["result"]["failure_reason"], t)
        self.assertEqual(self.task_containers(), [])

    def test_terminate_task_stops_it_and_it_fails_as_cancelled(self):
        self.run_task("--command", "echo sleeping; sleep 300", "--name", "sleeper")
        self.poll("task sleeper running", lambda: self.task("sleeper")["state"] == "RUNNING", timeout=30)
        self.assertEqual(len(self.task_containers()), 1)
        task_id = self.task("sleeper")["sequence_id"]
        r = self.p.wharf("terminate-task", APP, str(task_id))
        self.assertIn(f"Terminating task {task_id} of app {APP}", r.out)
        t = self.finished("sleeper", timeout=30)
        self.assertEqual(t["state"], "FAILED")
        self.assertEqual(t["result"]["failure_reason"], "task was cancelled")
        self.poll("the task's container removed", lambda: self.task_containers() == [], timeout=10)
        # A finished task cannot be terminated again.
        r = self.p.wharf("terminate-task", APP, str(task_id), expect=1)
        self.assertIn("finished task", r.out + r.err)

    def test_a_task_running_when_wharfd_is_killed_fails_with_a_reason_at_the_next_start(self):
        self.run_task("--command", "sleep 300", "--name", "orphan")
        self.poll("task orphan running", lambda: self.task("orphan")["state"] == "RUNNING", timeout=30)
        self.p.stop(signal.SIGKILL)
        self.p.start()
        # The API answers before the cell has settled what the killed wharfd left.
        t = self.finished("orphan", timeout=30)
        self.assertEqual(t["state"], "FAILED", t)
        self.assertIn("wharfd restarted", t["result"]["failure_reason"])
        self.poll("the task's container removed", lambda: self.task_containers() == [], timeout=10)
        # The app's own instance was adopted, not touched.
        self.p.wharf("app", APP)

    def test_run_task_refuses_what_it_cannot_run(self):
        r = self.p.wharf("run-task", APP, expect=1)
        self.assertIn("has no process type 'task' with a command", r.out + r.err)
        r = self.p.wharf("run-task", APP, "--command", "true", "--name", "bad/name", expect=1)
        self.assertIn("task name", r.out + r.err)
        r = self.p.wharf("run-task", "no-such-app", "--command", "true", expect=1)
        self.assertIn("not found", r.out + r.err)
        r = self.p.wharf("terminate-task", APP, "999", expect=1)
        self.assertIn("no task with id 999", r.out + r.err)
        # Without a token, nothing.
        status, _ = self.p.api("POST", f"/v1/apps/{self.app_guid()}/tasks", {"command": "true"}, auth=False)
        self.assertEqual(status, 401)


if __name__ == "__main__":
    unittest.main()
