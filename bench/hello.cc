// aegir-bench-hello: the floor of the web benchmark. A FastCGI "hello" page
// served the way aegir-web serves (libfcgi on a unix socket, a pool of
// threads each accepting and answering, nginx in front with kept-alive
// connections), minus everything a page does: no routing, session, database
// or template. bench/run puts it behind the same nginx as aegir-web and loads
// both with the same wrk settings.
//
//   aegir-bench-hello SOCKET [THREADS]
#include <fcgiapp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: aegir-bench-hello SOCKET [THREADS]\n");
    return 2;
  }
  int threads = argc == 3 ? std::atoi(argv[2]) : 8;
  if (threads < 1 || threads > 256) {
    std::fprintf(stderr, "aegir-bench-hello: THREADS must be 1 to 256\n");
    return 2;
  }
  FCGX_Init();
  // libfcgi's own handlers only flag a shutdown for its next accept; this
  // program has nothing to finish, so SIGTERM ends it at once.
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGPIPE, SIG_IGN);
  ::unlink(argv[1]);
  int fd = FCGX_OpenSocket(argv[1], 128);
  if (fd < 0) {
    std::perror("aegir-bench-hello: FCGX_OpenSocket");
    return 1;
  }
  ::chmod(argv[1], 0666);
  static const std::string page =
      "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
      "<!doctype html><html><head><title>Hello</title></head><body><p>Hello</p></body></html>\n";
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([fd] {
      FCGX_Request req;
      FCGX_InitRequest(&req, fd, 0);
      while (FCGX_Accept_r(&req) >= 0) {
        FCGX_PutStr(page.data(), static_cast<int>(page.size()), req.out);
        FCGX_Finish_r(&req);
      }
    });
  }
  for (auto& t : pool) t.join();
  return 0;
}
