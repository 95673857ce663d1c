import subprocess


def stop_process(process: subprocess.Popen | None, *, kill: bool = False) -> None:
    """Stop `process` (SIGTERM, or SIGKILL with `kill`) and wait for it to end."""
    if process is None or process.poll() is not None:
        return
    if kill:
        process.kill()
    else:
        process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
