// Embedding prefectcore: answer a request in-process through Server::handle, then serve
// the same Server over HTTP on an ephemeral port and call it as any client would.

#include <cstdio>

#include <httplib.h>

#include <prefectcore/http_server.h>
#include <prefectcore/server.h>

int main() {
  auto server = prefectcore::Server::create(prefectcore::ServerOptions{});
  if (!server) {
    std::fprintf(stderr, "embed: %s\n", server.error().to_string().c_str());
    return 1;
  }

  prefectcore::HttpRequest request;
  request.method = "GET";
  request.path = "/api/health";
  prefectcore::HttpResponse in_process = (*server)->handle(request);
  std::printf("in-process: GET /api/health -> %d %s\n", in_process.status, in_process.body.c_str());

  prefectcore::HttpServerOptions options;
  options.port = 0;  // any free port
  auto http = prefectcore::HttpServer::start(**server, options);
  if (!http) {
    std::fprintf(stderr, "embed: %s\n", http.error().to_string().c_str());
    return 1;
  }
  httplib::Client client("127.0.0.1", (*http)->port());
  auto over_http = client.Get("/api/health");
  if (!over_http) {
    std::fprintf(stderr, "embed: request failed: %s\n",
                 httplib::to_string(over_http.error()).c_str());
    return 1;
  }
  std::printf("over HTTP (port %d): GET /api/health -> %d %s\n", (*http)->port(), over_http->status,
              over_http->body.c_str());
  (*http)->stop();

  bool ok =
      in_process.status == 200 && over_http->status == 200 && over_http->body == in_process.body;
  return ok ? 0 : 1;
}
