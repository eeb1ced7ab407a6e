// Owns the size of libuv's thread pool, where argon2 runs (@node-rs/argon2's async work) beside file system and
// crypto work. The hasher runs at most one argon2 computation per core (password-hasher.ts); libuv's default of
// 4 threads would cap that below the cores on larger machines, so the pool gets one thread per core plus libuv's
// 4 for the rest. Imported first by the composition root: libuv reads the variable when the pool first starts.
import { availableParallelism } from 'node:os';

const LIBUV_DEFAULT = 4;

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(Math.min(1024, availableParallelism() + LIBUV_DEFAULT));
