export { accessGate, type ConsoleAccess, isLoopbackHost, newConsoleToken, TOKEN_COOKIE } from './access.js';
export { type ConsoleOptions, createConsole, type UsherConsole } from './console.js';
export { type LiveFeed, startLiveFeed } from './live-feed.js';
export { type RunningConsole, type StartConsoleOptions, startConsole } from './serve.js';
