//JAVA 17+
//DEPS com.fasterxml.jackson.core:jackson-databind:2.23.0
//DEPS org.jline:jline:4.5.0
//SOURCES chatbot_env.java
//SOURCES chatbot_settings.java
//SOURCES chatbot_otel_settings.java
//SOURCES chatbot_ollama.java
//SOURCES chatbot_terminal.java
//SOURCES chatbot_repl.java
//SOURCES chatbot_load.java
//SOURCES chatbot_charts.java
//SOURCES ollama_sim.java
//DESCRIPTION The chatbot's companions (settings, Ollama client, REPL, terminal, charts, simulator), as one jar.

// chatbot_companions.java: the plumbing of chatbot_otel.java with no OpenTelemetry in it, compiled as a
// unit of its own. chatbot_otel.java pulls it in with //DEPS, so JBang builds this jar once and reuses
// it: an edit to the teaching file then compiles the teaching file alone (bench/edit_rerun.java times
// both). The companions never name a type of chatbot_otel.java, which is what lets them build first.
//
// Which file depends on which (each uses only those below it):
//   chatbot_otel.java         the teaching file: the SDK, the instruments, the traced turn
//   chatbot_repl.java         the REPL               -> settings, terminal, ollama, charts, env
//   chatbot_load.java         load mode              -> settings, ollama, charts
//   chatbot_terminal.java     Ctrl-C, screen, exit   -> otel settings, ollama, charts
//   chatbot_settings.java     every setting          -> otel settings, env, ollama, ollama_sim
//   chatbot_otel_settings.java the OTEL_* variables  -> env
//   chatbot_env.java          the environment reader -> ollama (Messages)
//   chatbot_ollama.java, chatbot_charts.java, ollama_sim.java: depend on no other file

/** Nothing to run: this file only gathers the companions into one build. */
final class chatbot_companions {
    private chatbot_companions() {
    }
}
