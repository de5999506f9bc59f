// The native front of slurm-oci-runtime (built to dist/slurm-oci-runtime). Podman execs the runtime
// three times per `podman run`, and Node's start-up (40-110 ms) each time would triple its cost.
// The front hands the call to a warm runtime server (the same TypeScript commands, see
// src/runtime/front/) and runs the backend processes the server asks for itself, so that they get
// this process's stdio, extra fds and place in the process tree (conmon must be their subreaper).
// No server, or one that declines the call: it execs the Node CLI, and starts a server for next time.
// For the scrun backend it also starts the supervisor (frame D, so conmon adopts it) and passes
// SIGINT/SIGTERM on while `start` waits for the allocation (frames T and K).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef BUILD_ID
#error "BUILD_ID comes from scripts/build.mjs: a server only serves fronts of its own build"
#endif

extern char **environ;

// Hard limit on a frame, as in src/runtime/front/protocol.ts (a call and its environment fit easily).
#define MAX_FRAME (16u << 20)

static char cjs[PATH_MAX + 32]; // the Node runtime: slurm-oci-runtime.cjs beside this binary
static int argc_;
static char **argv_;

// Execs the Node CLI with our arguments: calls the server declines, and every call without one.
static void cli(void) {
  char **args = calloc(argc_ + 2, sizeof *args);
  if (!args) _exit(1);
  args[0] = "node";
  args[1] = cjs;
  memcpy(args + 2, argv_ + 1, (argc_ - 1) * sizeof *args);
  execvp("node", args); // no PATH (Podman's kill/delete): the libc default path, as `env node`
  dprintf(2, "slurm-oci-runtime: cannot run node: %s\n", strerror(errno));
  _exit(1);
}

// The inode number of one of our namespaces ("user:[4026531837]"), as text.
static int ns_id(const char *ns, char *out, size_t size) {
  char link[64], target[64];
  snprintf(link, sizeof link, "/proc/self/ns/%s", ns);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n < 0) return -1;
  target[n] = 0;
  char *open = strchr(target, '[');
  if (!open) return -1;
  size_t len = strcspn(open + 1, "]");
  if (len + 1 > size) return -1;
  memcpy(out, open + 1, len);
  out[len] = 0;
  return 0;
}

// The server's socket: per user (in the runtime dir), build, user and mount namespace (inside
// Podman's rootless namespaces the same user is uid 0 and sees other mounts).
static int socket_path(char *out, size_t size) {
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  char user[32], mnt[32];
  if (ns_id("user", user, sizeof user) < 0 || ns_id("mnt", mnt, sizeof mnt) < 0) return -1;
  int n;
  if (xdg && *xdg) n = snprintf(out, size, "%s/slurm-oci/front-%s-%s-%s.sock", xdg, BUILD_ID, user, mnt);
  else if (geteuid() == 0) n = snprintf(out, size, "/run/slurm-oci/front-%s-%s-%s.sock", BUILD_ID, user, mnt);
  else return -1;
  return n > 0 && (size_t)n < size ? 0 : -1;
}

// Closes every fd from LOW up: close_range(2) where the kernel has it (through syscall(): glibc
// before 2.34, as on RHEL/Rocky 8, has no wrapper), else one by one.
static void close_from(int low) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, low, ~0U, 0) == 0) return;
#endif
  for (long fd = low, max = sysconf(_SC_OPEN_MAX); fd < max && fd < 65536; fd++) close(fd);
}

// Whether a container's monitor is among our ancestors: conmon and containerd's shims are child
// subreapers, so a server we start would become its child and keep it (and its container's
// exit) waiting for as long as the server lives. Such calls start none; the next call from
// Podman or Docker itself does.
static int under_container_monitor(void) {
  pid_t pid = getppid();
  for (int depth = 0; pid > 1 && depth < 64; depth++) {
    char path[64], stat[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (n <= 0) return 0;
    stat[n] = 0;
    char *open_paren = strchr(stat, '('), *close_paren = strrchr(stat, ')');
    if (!open_paren || !close_paren) return 0;
    *close_paren = 0;
    const char *comm = open_paren + 1;
    if (!strcmp(comm, "conmon") || !strncmp(comm, "containerd-shim", 15)) return 1;
    int ppid;
    if (sscanf(close_paren + 2, "%*c %d", &ppid) != 1) return 0;
    pid = ppid;
  }
  return 0;
}

// Starts a server on SOCKET for the next call, fully detached: own session, no stdio and none of
// our fds (conmon's pipes, --preserve-fds), so nothing ever waits on it.
static void start_server(const char *socket) {
  if (under_container_monitor()) return;
  pid_t pid = fork();
  if (pid != 0) {
    if (pid > 0) waitpid(pid, NULL, 0);
    return;
  }
  if (fork() != 0) _exit(0);
  setsid();
  int null = open("/dev/null", O_RDWR);
  if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(1);
  close_from(3);
  if (chdir("/") < 0) _exit(1);
  setenv("SLURM_OCI_SERVE", socket, 1);
  execlp("node", "node", cjs, (char *)NULL);
  _exit(127);
}

static int send_frame(int fd, char type, const char *payload, size_t len);

// A SIGINT/SIGTERM not yet passed on to the server (while it asks for them: frame T).
static volatile sig_atomic_t pending_signal;

static void on_signal(int signal) { pending_signal = signal; }

// T: "1" passes SIGINT/SIGTERM (and SIGHUP) on to the server (no SA_RESTART: a wait for the
// server wakes), "0" takes them as usual again.
static void trap_signals(int on) {
  struct sigaction action = {.sa_handler = on ? on_signal : SIG_DFL};
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGHUP, &action, NULL);
}

// Passes a trapped signal on to the server (frame K).
static int pass_signal(int fd) {
  if (!pending_signal) return 0;
  char signal[16];
  snprintf(signal, sizeof signal, "%d", (int)pending_signal);
  pending_signal = 0;
  return send_frame(fd, 'K', signal, strlen(signal));
}

static int write_all(int fd, const void *data, size_t len) {
  for (const char *p = data; len > 0;) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= n;
  }
  return 0;
}

// Reads LEN bytes from the server on FD, passing on a trapped signal that interrupts the wait.
static int read_all(int fd, void *data, size_t len) {
  for (char *p = data; len > 0;) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) {
      if (pass_signal(fd) < 0) return -1;
      continue;
    }
    if (n <= 0) return -1;
    p += n;
    len -= n;
  }
  return 0;
}

// One frame: 4-byte little-endian length, type, payload (src/runtime/front/protocol.ts).
static int send_frame(int fd, char type, const char *payload, size_t len) {
  unsigned char head[5] = {len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, (len >> 24) & 0xff, (unsigned char)type};
  return write_all(fd, head, 5) < 0 || write_all(fd, payload, len) < 0 ? -1 : 0;
}

// Appends S and its NUL to the buffer BUF of used size *LEN.
static void append(char **buf, size_t *len, size_t *cap, const char *s) {
  size_t n = strlen(s) + 1;
  if (*len + n > *cap) {
    *cap = (*len + n) * 2;
    *buf = realloc(*buf, *cap);
    if (!*buf) _exit(1);
  }
  memcpy(*buf + *len, s, n);
  *len += n;
}

// The call: the number of arguments, the cwd, the arguments, the environment.
static int send_call(int fd) {
  char *buf = NULL, count[16], cwd[PATH_MAX];
  size_t len = 0, cap = 0;
  if (!getcwd(cwd, sizeof cwd)) return -1;
  snprintf(count, sizeof count, "%d", argc_ - 1);
  append(&buf, &len, &cap, count);
  append(&buf, &len, &cap, cwd);
  for (int i = 1; i < argc_; i++) append(&buf, &len, &cap, argv_[i]);
  for (char **e = environ; *e; e++) append(&buf, &len, &cap, *e);
  int r = send_frame(fd, 'Q', buf, len);
  free(buf);
  return r;
}

// Splits the NUL-separated argv in PAYLOAD into ARGS (up to 4095); returns their number.
static size_t split_argv(char *payload, size_t len, char **args) {
  size_t n = 0;
  for (char *p = payload; p < payload + len && n < 4095; p += strlen(p) + 1) args[n++] = p;
  args[n] = NULL;
  return n;
}

// In a child before exec: every signal as usual and none blocked, whatever conmon left us (as
// Node's spawn does for the CLI's children; scrun's anchor inherits them).
static void default_signals(void) {
  sigset_t none;
  sigemptyset(&none);
  for (int signal = 1; signal < NSIG; signal++) sigaction(signal, &(struct sigaction){.sa_handler = SIG_DFL}, NULL);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

// Starts the argv in PAYLOAD in a session of its own with our stdio and does not wait for it (the
// scrun supervisor: when we exit, conmon adopts it). Its pid, or 0 when it could not be run.
static pid_t spawn_detached(char *payload, size_t len) {
  char *args[4096];
  int report[2];
  if (split_argv(payload, len, args) == 0 || pipe2(report, O_CLOEXEC) < 0) return 0;
  pid_t pid = fork();
  if (pid == 0) {
    close(report[0]);
    setsid();
    default_signals();
    execv(args[0], args);
    int error = errno;
    write_all(report[1], &error, sizeof error);
    _exit(127);
  }
  close(report[1]);
  int error = 0;
  ssize_t n = pid > 0 ? read(report[0], &error, sizeof error) : -1;
  close(report[0]);
  if (pid < 0 || n != 0) {
    dprintf(2, "slurm-oci-runtime: cannot run %s: %s\n", args[0], strerror(pid < 0 ? errno : error));
    if (pid > 0) waitpid(pid, NULL, 0);
    return 0;
  }
  return pid;
}

// Runs the NUL-separated argv in PAYLOAD with our stdio and fds; returns its exit status as a shell would.
static int run(char *payload, size_t len) {
  char *args[4096];
  if (split_argv(payload, len, args) == 0) return 127;
  pid_t pid = fork();
  if (pid < 0) return 127;
  if (pid == 0) {
    execv(args[0], args);
    dprintf(2, "slurm-oci-runtime: cannot run %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return 127;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The scrun supervisor's hand (frame H): a child of ours that stays connected to the server, which
// supervises the container in its own warm process (no Node start-up per container). The hand is
// the process Podman's pid file names and conmon adopts; it runs `scrun create` for the server
// with the container's stdio (frame A), passes its stderr, exit and signals on (frames e, x, g, K)
// and exits with the container's code (the second X: the first is the create call's, and ends
// the parent, which waits for it).
static int hand;               // this process is a hand
static int release_fd = -1;    // until the create call's X: the pipe the parent waits on
static pid_t hand_child;       // the running A process, 0 when none
static int hand_stderr = -1;   // its stderr, until every holder (scrun's anchor, srun) closed it
static volatile sig_atomic_t got_sigchld;

static void on_sigchld(int signal) { got_sigchld = signal; }

// H: forks the hand; answers S with its pid. The parent (this create call) exits with the code
// the hand passes up when the call ends.
static void become_hand(int fd) {
  int release[2];
  pid_t pid = pipe2(release, O_CLOEXEC) < 0 ? -1 : fork();
  if (pid < 0) {
    send_frame(fd, 'S', "0", 1);
    return;
  }
  if (pid > 0) {
    close(fd);
    close(release[1]);
    int code;
    ssize_t n;
    while ((n = read(release[0], &code, sizeof code)) < 0 && errno == EINTR) {
    }
    _exit(n == sizeof code ? code : 1);
  }
  close(release[0]);
  release_fd = release[1];
  hand = 1;
  setsid();
  trap_signals(1);
  struct sigaction action = {.sa_handler = on_sigchld};
  sigemptyset(&action.sa_mask);
  sigaction(SIGCHLD, &action, NULL);
  char self[16];
  snprintf(self, sizeof self, "%d", (int)getpid());
  send_frame(fd, 'S', self, strlen(self));
}

// A: runs the argv in PAYLOAD with our stdin and stdout, its stderr into a pipe we pass on; its pid or 0.
static pid_t run_async(char *payload, size_t len) {
  char *args[4096];
  int err[2];
  if (hand_child || hand_stderr >= 0 || split_argv(payload, len, args) == 0 || pipe2(err, O_CLOEXEC) < 0) return 0;
  pid_t pid = fork();
  if (pid == 0) {
    if (dup2(err[1], 2) < 0) _exit(127);
    default_signals();
    execv(args[0], args);
    dprintf(2, "slurm-oci-runtime: cannot run %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  close(err[1]);
  if (pid < 0) return close(err[0]), 0;
  fcntl(err[0], F_SETFL, O_NONBLOCK);
  hand_child = pid;
  hand_stderr = err[0];
  return pid;
}

// Passes on what the A process's stderr holds now (e), and its end (g).
static int pass_stderr(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(hand_stderr, buf, sizeof buf);
    if (n > 0) {
      if (send_frame(fd, 'e', buf, n) < 0) return -1;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return 0;
    close(hand_stderr);
    hand_stderr = -1;
    return send_frame(fd, 'g', "", 0);
  }
}

// The hand, between frames: waits until the server's next frame is there, passing on signals,
// the A process's stderr and its exit status (x, after the stderr it wrote before exiting).
static int hand_wait(int fd) {
  for (;;) {
    if (pass_signal(fd) < 0) return -1;
    int status;
    if (hand_child && waitpid(hand_child, &status, WNOHANG) == hand_child) {
      hand_child = 0;
      if (hand_stderr >= 0 && pass_stderr(fd) < 0) return -1;
      char code[16];
      snprintf(code, sizeof code, "%d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
      if (send_frame(fd, 'x', code, strlen(code)) < 0) return -1;
    }
    struct pollfd ready[2] = {{.fd = fd, .events = POLLIN}, {.fd = hand_stderr, .events = POLLIN}};
    // a signal between the checks above and poll waits for the timeout at most
    int n = poll(ready, hand_stderr >= 0 ? 2 : 1, 100);
    if (n < 0 && errno != EINTR) return -1;
    if (n > 0 && hand_stderr >= 0 && ready[1].revents && pass_stderr(fd) < 0) return -1;
    if (n > 0 && ready[0].revents) return 0;
  }
}

int main(int argc, char **argv) {
  argc_ = argc;
  argv_ = argv;
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n < 0) return perror("slurm-oci-runtime: /proc/self/exe"), 1;
  self[n] = 0;
  *strrchr(self, '/') = 0;
  snprintf(cjs, sizeof cjs, "%s/slurm-oci-runtime.cjs", self);

  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  const char *off = getenv("SLURM_OCI_SERVER");
  if ((off && !strcmp(off, "off")) || socket_path(addr.sun_path, sizeof addr.sun_path) < 0) cli();
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) cli();
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    start_server(addr.sun_path);
    cli();
  }
  // Only a server of our own uid may tell us what to run (root with a user's XDG_RUNTIME_DIR
  // must never take orders from that user's socket).
  struct ucred peer;
  socklen_t peer_len = sizeof peer;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) < 0 || peer.uid != geteuid()) cli();
  if (send_call(fd) < 0) cli();
  int ran = 0;
  for (;;) {
    unsigned char head[5];
    if ((hand && hand_wait(fd) < 0) || read_all(fd, head, 5) < 0) {
      if (hand) return 255; // the server went away: the container's code is not known
      if (!ran) cli(); // the server died before anything happened: the CLI does it all
      dprintf(2, "slurm-oci-runtime: the runtime server went away in the middle of the call\n");
      return 1;
    }
    uint32_t len = head[0] | head[1] << 8 | head[2] << 16 | (uint32_t)head[3] << 24;
    if (len > MAX_FRAME || !head[4] || !strchr("OERDTXCHA", head[4])) {
      dprintf(2, "slurm-oci-runtime: the runtime server sent a bad frame (type 0x%02x, %u bytes)\n", head[4], len);
      return 1;
    }
    char *payload = malloc(len + 1);
    if (!payload || read_all(fd, payload, len) < 0) return 1;
    payload[len] = 0;
    switch (head[4]) {
    case 'O':
    case 'E':
      write_all(head[4] == 'O' ? 1 : 2, payload, len);
      break;
    case 'R': {
      ran = 1;
      char status[16];
      snprintf(status, sizeof status, "%d", run(payload, len));
      if (send_frame(fd, 'S', status, strlen(status)) < 0) return 1;
      break;
    }
    case 'D': {
      ran = 1;
      char pid[16];
      snprintf(pid, sizeof pid, "%d", (int)spawn_detached(payload, len));
      if (send_frame(fd, 'S', pid, strlen(pid)) < 0) return 1;
      break;
    }
    case 'T':
      trap_signals(payload[0] == '1');
      break;
    case 'H':
      ran = 1;
      become_hand(fd);
      break;
    case 'A': {
      char pid[16];
      snprintf(pid, sizeof pid, "%d", (int)run_async(payload, len));
      if (send_frame(fd, 'S', pid, strlen(pid)) < 0) return 1;
      break;
    }
    case 'X':
      if (release_fd >= 0) { // the create call's end: the parent exits with it, the hand goes on
        int code = atoi(payload);
        write_all(release_fd, &code, sizeof code);
        close(release_fd);
        release_fd = -1;
        break;
      }
      return atoi(payload);
    case 'C':
      if (ran) return 1;
      close(fd);
      cli();
    }
    free(payload);
  }
}
