/** The pool's worker script: runs the batches the main thread hands it (src/archive/pool.ts). */
import { runTask } from "./task";

export default runTask;
