// Repeats an async task every `ms` after the previous one ended, until stopped.
export function poll(task, ms) {
  let stopped = false;
  let timer = null;
  const run = async () => {
    if (stopped) return;
    try {
      await task();
    } catch (e) {
      console.error(e);
    }
    if (!stopped) timer = setTimeout(run, typeof ms === 'function' ? ms() : ms);
  };
  run();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    now() {
      clearTimeout(timer);
      run();
    },
  };
}
