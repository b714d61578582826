// The official Ollama JavaScript client against an Ollama-compatible server: each call the chatbot's
// simulator claims to serve, done through someone else's code. Prints one JSON object of what the
// client parsed (or the error it threw); tests/OllamaClientContractTest.java asserts on it.
//
//   node tests/ollama-client/contract.mjs http://127.0.0.1:PORT [scenario]
// CONTRACT_MODEL and CONTRACT_THINKING_MODEL name the models (the simulator's by default), so the
// same calls run against a real Ollama too (tests/RealOllamaTest.java).

import { Ollama } from 'ollama';

const host = process.argv[2];
const only = process.argv[3];
const ollama = new Ollama({ host });
const ask = [{ role: 'user', content: 'hi' }];
const model = process.env.CONTRACT_MODEL || 'llama3.1:8b';
const thinker = process.env.CONTRACT_THINKING_MODEL || 'qwen3:0.6b';

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
  chatStream: () => settle(async () => collect(await ollama.chat({ model, messages: ask, stream: true }))),
  chatOnce: () => settle(() => ollama.chat({ model, messages: ask, stream: false })),
  thinkingStream: () => settle(async () => collect(await ollama.chat({ model: thinker, messages: ask, stream: true }))),
  generateStream: () => settle(async () => collect(await ollama.generate({ model, prompt: 'hi', stream: true }))),
  generateOnce: () => settle(() => ollama.generate({ model, prompt: 'hi', stream: false })),
  list: () => settle(() => ollama.list()),
  show: () => settle(() => ollama.show({ model: thinker })),
  ps: () => settle(() => ollama.ps()),
  version: () => settle(() => ollama.version()),
  missingModel: () => settle(() => ollama.chat({ model: 'nope:1b', messages: ask, stream: false })),
  midStreamError: () => settle(async () => collect(await ollama.chat({ model, messages: ask, stream: true }))),
};

const results = {};
for (const [name, run] of Object.entries(scenarios)) {
  if (only ? name === only : name !== 'midStreamError') results[name] = await run();
}
console.log(JSON.stringify(results));
