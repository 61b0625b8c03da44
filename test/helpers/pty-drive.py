"""Test helper: drives a command through a pseudo-terminal (python3's pty module, no
native Node dependency). Reads a JSON spec on stdin:
  {"argv": [...], "cwd": "...", "env": {...}, "timeout": 30,
   "steps": [{"expect": "regex"}, {"send": "text"}, ...]}
waits for each `expect` in the output seen since the previous match, writes each `send`, then
waits for the process to exit. Prints {"output": ..., "exit": code, "error": msg|null} as JSON."""
import json, os, pty, re, select, signal, sys, time

spec = json.load(sys.stdin)
deadline = time.time() + spec.get("timeout", 30)
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec.get("cwd", "."))
    env = dict(spec.get("env", {}))
    os.execvpe(spec["argv"][0], spec["argv"], env)

output = b""
cursor = 0
error = None


def read_some(wait):
    global output
    r, _, _ = select.select([fd], [], [], wait)
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        output += data
    return True


try:
    for step in spec["steps"]:
        if "send" in step:
            os.write(fd, step["send"].encode())
            continue
        pattern = re.compile(step["expect"].encode(), re.S)
        while True:
            m = pattern.search(output, cursor)
            if m:
                cursor = m.end()
                break
            if time.time() > deadline:
                raise TimeoutError("timed out waiting for %r" % step["expect"])
            if not read_some(0.2):
                raise EOFError("process ended while waiting for %r" % step["expect"])
    while time.time() < deadline:
        if not read_some(0.2):
            break
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            read_some(0.1)
            break
except Exception as e:  # reported to the test, which fails with the transcript
    error = str(e)

exit_code = None
for _ in range(50):
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        exit_code = os.waitstatus_to_exitcode(status)
        break
    time.sleep(0.1)
if exit_code is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    error = error or "process did not exit"
print(json.dumps({"output": output.decode("utf8", "replace"), "exit": exit_code, "error": error}))
