// The official Ollama JavaScript client against an Ollama-compatible server: each call the chatbot's
// simulator claims to serve, done through someone else's code. Prints one JSON object of what the
// client parsed (or the error it threw); tests/OllamaClientContractTest.java asserts on it.
//
//   node tests/ollama-client/contract.mjs http://127.0.0.1:PORT [scenario]

import { Ollama } from 'ollama';

const host = process.argv[2];
const only = process.argv[3];
const ollama = new Ollama({ host });
const ask = [{ role: 'user', content: 'hi' }];

async function settle(run) {
  try {
    return { ok: await run() };
  } catch (e) {
    return { error: e.message, status: e.status_code ?? null, name: e.name };
  }
}

async function collect(stream) {
  const parts = { content: '', thinking: '', chunks: 0, last: null };
  for await (const part of stream) {
    parts.chunks++;
    parts.content += part.message?.content ?? part.response ?? '';
    parts.thinking += part.message?.thinking ?? part.thinking ?? '';
    if (part.done) parts.last = part;
  }
  return parts;
}

const scenarios = {
  chatStream: () => settle(async () => collect(await ollama.chat({ model: 'llama3.1:8b', messages: ask, stream: true }))),
  chatOnce: () => settle(() => ollama.chat({ model: 'llama3.1:8b', messages: ask, stream: false })),
  thinkingStream: () => settle(async () => collect(await ollama.chat({ model: 'qwen3:0.6b', messages: ask, stream: true }))),
  generateStream: () => settle(async () => collect(await ollama.generate({ model: 'llama3.1:8b', prompt: 'hi', stream: true }))),
  generateOnce: () => settle(() => ollama.generate({ model: 'llama3.1:8b', prompt: 'hi', stream: false })),
  list: () => settle(() => ollama.list()),
  show: () => settle(() => ollama.show({ model: 'qwen3:0.6b' })),
  ps: () => settle(() => ollama.ps()),
  version: () => settle(() => ollama.version()),
  missingModel: () => settle(() => ollama.chat({ model: 'nope:1b', messages: ask, stream: false })),
  midStreamError: () => settle(async () => collect(await ollama.chat({ model: 'llama3.1:8b', messages: ask, stream: true }))),
};

const results = {};
for (const [name, run] of Object.entries(scenarios)) {
  if (only ? name === only : name !== 'midStreamError') results[name] = await run();
}
console.log(JSON.stringify(results));
