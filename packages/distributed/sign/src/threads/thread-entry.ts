// The tinypool worker module: one ballot per task.
import { runThreadTask, type ThreadTask } from './thread-task.js';

export default function ballot(task: ThreadTask): Uint32Array | Promise<never> {
  return runThreadTask(task);
}
