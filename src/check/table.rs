//! The system call table: the single source of truth for what the
//! sandbox filter does with each call.
//!
//! One row per system call, with its number on each supported
//! architecture (`-` where the architecture does not have it) and its
//! class:
//!
//! - `Allow`: names no file, address or program; runs at full speed
//!   (the filter returns ALLOW with no argument checks, so the kernel's
//!   per-syscall action cache makes it free).
//! - `Trap`: names a file, an address or a program; the supervisor
//!   decides it (the checker decodes its arguments by name).
//! - `Deny(errno)`: an escape route out of the supervisor's view
//!   (DESIGN.md, "The sandbox filter"); refused in the filter itself.
//! - `Args(rule)`: decided in the filter from integer arguments (see
//!   [`ArgRule`]).
//!
//! Numbers not in the table (gaps, calls newer than husk, calls the
//! kernel no longer implements) get ENOSYS, so a libc probing a new
//! call falls back.
//!
//! Sources of the numbers: the `sc` crate's tables for each
//! architecture and, from 424 on, the unified numbering every
//! architecture shares.
#![forbid(unsafe_code)]

use crate::sys::Errno;

/// Integer-argument rules applied inside the filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgRule {
    /// `TIOCSTI` and `TIOCLINUX` (terminal input injection) are
    /// refused with EPERM; every other request is allowed. The request
    /// is compared on its low 32 bits, as the kernel reads it.
    Ioctl,
    /// `PTRACE_TRACEME` succeeds without doing anything (anti-debugging
    /// code must not crash); every other request is refused with EPERM:
    /// only husk traces the sandbox.
    Ptrace,
    /// `SECCOMP_SET_MODE_FILTER` is refused with EPERM: a filter stacked
    /// by the sandbox could return USER_NOTIF, which outranks husk's
    /// TRACE, to a listener of its own. Other operations are allowed.
    Seccomp,
    /// `PR_SET_SECCOMP` is refused with EPERM (the same stacking through
    /// prctl); every other option is allowed.
    Prctl,
    /// `sendto` with no destination address (a connected socket) is
    /// allowed; with one it is trapped as a connect.
    SendTo,
    /// `open` (flags: argument 1) and `openat` (argument 2): trapped
    /// as the route says, but with `O_PATH` always to the tracer, which
    /// checks the object really opened once the call returns (the
    /// kernel cannot install an `O_PATH` descriptor for a notify
    /// worker, so such an open is run by the caller itself).
    Open,
    /// See [`ArgRule::Open`].
    Openat,
    /// `newfstatat(fd, NULL, buf, AT_EMPTY_PATH)` with a descriptor
    /// (not `AT_FDCWD`) is `fstat(fd)` (Linux 6.11; `EFAULT` before):
    /// allowed in the filter, like `fstat` itself, since it names no
    /// path. Every other form is trapped as the route says.
    StatAt,
    /// The same for `statx(fd, NULL, AT_EMPTY_PATH, ...)` (flags:
    /// argument 2).
    Statx,
    /// `socket`: where a net category is checked, raw and packet
    /// sockets (whose destinations are in their data, out of any
    /// check's sight) are refused with EPERM, as for a process without
    /// `CAP_NET_RAW`; every other socket is allowed.
    Socket,
    /// `mmap` of a file (no `MAP_ANONYMOUS`) with `PROT_EXEC` is
    /// trapped (checked as `exec` of the file: it runs its code, as the
    /// dynamic loader does); every other mapping is allowed.
    Mmap,
    /// `mprotect` and `pkey_mprotect` adding `PROT_EXEC` are trapped
    /// (the file-backed mappings in the range are checked as `exec`);
    /// every other protection change is allowed.
    Mprotect,
    /// `clone` with `CLONE_UNTRACED` is refused with EPERM: its child
    /// would not be traced, so it would skip the exec-event re-check
    /// and outlive husk (`PTRACE_O_EXITKILL` reaches tracees only).
    /// Every other clone is allowed.
    Clone,
}

/// What the filter does with a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Runs unchecked.
    Allow,
    /// The supervisor decides (`check::decide`, by the call's name).
    Trap,
    /// Refused with this errno.
    Deny(Errno),
    /// Decided by an argument rule.
    Args(ArgRule),
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Syscall {
    /// The name, as in the kernel's tables.
    pub name: &'static str,
    /// The number on the native architecture, if it has the call.
    pub nr: Option<u32>,
    /// What the filter does with it.
    pub class: Class,
}

macro_rules! num {
    (-) => {
        None
    };
    ($n:literal) => {
        Some($n)
    };
}

#[cfg(target_arch = "x86_64")]
macro_rules! native {
    ($x:tt $a:tt $r:tt) => {
        num!($x)
    };
}
#[cfg(target_arch = "aarch64")]
macro_rules! native {
    ($x:tt $a:tt $r:tt) => {
        num!($a)
    };
}
#[cfg(target_arch = "riscv64")]
macro_rules! native {
    ($x:tt $a:tt $r:tt) => {
        num!($r)
    };
}

macro_rules! table {
    ($($name:ident $x:tt $a:tt $r:tt => $class:expr;)*) => {
        /// Every system call husk knows, in x86_64 number order.
        pub static TABLE: &[Syscall] = &[
            $(Syscall { name: stringify!($name), nr: native!($x $a $r), class: $class },)*
        ];
    };
}

use Class::*;

#[rustfmt::skip]
table! {
    //  name                x86_64 aarch64 riscv64  class
    read                       0   63   63 => Allow;
    write                      1   64   64 => Allow;
    open                       2    -    - => Args(ArgRule::Open);
    close                      3   57   57 => Allow;
    stat                       4    -    - => Trap;
    fstat                      5   80   80 => Allow;
    lstat                      6    -    - => Trap;
    poll                       7    -    - => Allow;
    lseek                      8   62   62 => Allow;
    mmap                       9  222  222 => Args(ArgRule::Mmap);
    mprotect                  10  226  226 => Args(ArgRule::Mprotect);
    munmap                    11  215  215 => Allow;
    brk                       12  214  214 => Allow;
    rt_sigaction              13  134  134 => Allow;
    rt_sigprocmask            14  135  135 => Allow;
    rt_sigreturn              15  139  139 => Allow;
    ioctl                     16   29   29 => Args(ArgRule::Ioctl);
    pread64                   17   67   67 => Allow;
    pwrite64                  18   68   68 => Allow;
    readv                     19   65   65 => Allow;
    writev                    20   66   66 => Allow;
    access                    21    -    - => Trap;
    pipe                      22    -    - => Allow;
    select                    23    -    - => Allow;
    sched_yield               24  124  124 => Allow;
    mremap                    25  216  216 => Allow;
    msync                     26  227  227 => Allow;
    mincore                   27  232  232 => Allow;
    madvise                   28  233  233 => Allow;
    shmget                    29  194  194 => Allow;
    shmat                     30  196  196 => Allow;
    shmctl                    31  195  195 => Allow;
    dup                       32   23   23 => Allow;
    dup2                      33    -    - => Allow;
    pause                     34    -    - => Allow;
    nanosleep                 35  101  101 => Allow;
    getitimer                 36  102  102 => Allow;
    alarm                     37    -    - => Allow;
    setitimer                 38  103  103 => Allow;
    getpid                    39  172  172 => Allow;
    sendfile                  40   71   71 => Allow;
    socket                    41  198  198 => Args(ArgRule::Socket);
    connect                   42  203  203 => Trap;
    accept                    43  202  202 => Allow;
    sendto                    44  206  206 => Args(ArgRule::SendTo);
    recvfrom                  45  207  207 => Allow;
    sendmsg                   46  211  211 => Trap;
    recvmsg                   47  212  212 => Allow;
    shutdown                  48  210  210 => Allow;
    bind                      49  200  200 => Trap;
    listen                    50  201  201 => Trap;
    getsockname               51  204  204 => Allow;
    getpeername               52  205  205 => Allow;
    socketpair                53  199  199 => Trap;
    setsockopt                54  208  208 => Allow;
    getsockopt                55  209  209 => Allow;
    clone                     56  220  220 => Args(ArgRule::Clone);
    fork                      57    -    - => Allow;
    vfork                     58    -    - => Allow;
    execve                    59  221  221 => Trap;
    exit                      60   93   93 => Allow;
    wait4                     61  260  260 => Allow;
    kill                      62  129  129 => Allow;
    uname                     63  160  160 => Allow;
    semget                    64  190  190 => Allow;
    semop                     65  193  193 => Allow;
    semctl                    66  191  191 => Allow;
    shmdt                     67  197  197 => Allow;
    msgget                    68  186  186 => Allow;
    msgsnd                    69  189  189 => Allow;
    msgrcv                    70  188  188 => Allow;
    msgctl                    71  187  187 => Allow;
    fcntl                     72   25   25 => Allow;
    flock                     73   32   32 => Allow;
    fsync                     74   82   82 => Allow;
    fdatasync                 75   83   83 => Allow;
    truncate                  76   45   45 => Trap;
    ftruncate                 77   46   46 => Trap;
    getdents                  78    -    - => Trap;
    getcwd                    79   17   17 => Allow;
    chdir                     80   49   49 => Trap;
    fchdir                    81   50   50 => Trap;
    rename                    82    -    - => Trap;
    mkdir                     83    -    - => Trap;
    rmdir                     84    -    - => Trap;
    creat                     85    -    - => Trap;
    link                      86    -    - => Trap;
    unlink                    87    -    - => Trap;
    symlink                   88    -    - => Trap;
    readlink                  89    -    - => Trap;
    chmod                     90    -    - => Trap;
    fchmod                    91   52   52 => Trap;
    chown                     92    -    - => Trap;
    fchown                    93   55   55 => Trap;
    lchown                    94    -    - => Trap;
    umask                     95  166  166 => Allow;
    gettimeofday              96  169  169 => Allow;
    getrlimit                 97  163  163 => Allow;
    getrusage                 98  165  165 => Allow;
    sysinfo                   99  179  179 => Allow;
    times                    100  153  153 => Allow;
    ptrace                   101  117  117 => Args(ArgRule::Ptrace);
    getuid                   102  174  174 => Allow;
    syslog                   103  116  116 => Allow;
    getgid                   104  176  176 => Allow;
    setuid                   105  146  146 => Allow;
    setgid                   106  144  144 => Allow;
    geteuid                  107  175  175 => Allow;
    getegid                  108  177  177 => Allow;
    setpgid                  109  154  154 => Allow;
    getppid                  110  173  173 => Allow;
    getpgrp                  111    -    - => Allow;
    setsid                   112  157  157 => Allow;
    setreuid                 113  145  145 => Allow;
    setregid                 114  143  143 => Allow;
    getgroups                115  158  158 => Allow;
    setgroups                116  159  159 => Allow;
    setresuid                117  147  147 => Allow;
    getresuid                118  148  148 => Allow;
    setresgid                119  149  149 => Allow;
    getresgid                120  150  150 => Allow;
    getpgid                  121  155  155 => Allow;
    setfsuid                 122  151  151 => Allow;
    setfsgid                 123  152  152 => Allow;
    getsid                   124  156  156 => Allow;
    capget                   125   90   90 => Allow;
    capset                   126   91   91 => Allow;
    rt_sigpending            127  136  136 => Allow;
    rt_sigtimedwait          128  137  137 => Allow;
    rt_sigqueueinfo          129  138  138 => Allow;
    rt_sigsuspend            130  133  133 => Allow;
    sigaltstack              131  132  132 => Allow;
    utime                    132    -    - => Trap;
    mknod                    133    -    - => Trap;
    personality              135   92   92 => Allow;
    statfs                   137   43   43 => Trap;
    fstatfs                  138   44   44 => Allow;
    getpriority              140  141  141 => Allow;
    setpriority              141  140  140 => Allow;
    sched_setparam           142  118  118 => Allow;
    sched_getparam           143  121  121 => Allow;
    sched_setscheduler       144  119  119 => Allow;
    sched_getscheduler       145  120  120 => Allow;
    sched_get_priority_max   146  125  125 => Allow;
    sched_get_priority_min   147  126  126 => Allow;
    sched_rr_get_interval    148  127  127 => Allow;
    mlock                    149  228  228 => Allow;
    munlock                  150  229  229 => Allow;
    mlockall                 151  230  230 => Allow;
    munlockall               152  231  231 => Allow;
    vhangup                  153   58   58 => Deny(Errno::EPERM);
    modify_ldt               154    -    - => Allow;
    pivot_root               155   41   41 => Deny(Errno::EPERM);
    prctl                    157  167  167 => Args(ArgRule::Prctl);
    arch_prctl               158    -    - => Allow;
    adjtimex                 159  171  171 => Allow;
    setrlimit                160  164  164 => Allow;
    chroot                   161   51   51 => Deny(Errno::EPERM);
    sync                     162   81   81 => Allow;
    acct                     163   89   89 => Deny(Errno::EPERM);
    settimeofday             164  170  170 => Allow;
    mount                    165   40   40 => Deny(Errno::EPERM);
    umount2                  166   39   39 => Deny(Errno::EPERM);
    swapon                   167  224  224 => Deny(Errno::EPERM);
    swapoff                  168  225  225 => Deny(Errno::EPERM);
    reboot                   169  142  142 => Deny(Errno::EPERM);
    sethostname              170  161  161 => Allow;
    setdomainname            171  162  162 => Allow;
    iopl                     172    -    - => Deny(Errno::EPERM);
    ioperm                   173    -    - => Deny(Errno::EPERM);
    init_module              175  105  105 => Deny(Errno::EPERM);
    delete_module            176  106  106 => Deny(Errno::EPERM);
    quotactl                 179   60   60 => Deny(Errno::EPERM);
    gettid                   186  178  178 => Allow;
    readahead                187  213  213 => Allow;
    setxattr                 188    5    5 => Trap;
    lsetxattr                189    6    6 => Trap;
    fsetxattr                190    7    7 => Trap;
    getxattr                 191    8    8 => Trap;
    lgetxattr                192    9    9 => Trap;
    fgetxattr                193   10   10 => Trap;
    listxattr                194   11   11 => Trap;
    llistxattr               195   12   12 => Trap;
    flistxattr               196   13   13 => Trap;
    removexattr              197   14   14 => Trap;
    lremovexattr             198   15   15 => Trap;
    fremovexattr             199   16   16 => Trap;
    tkill                    200  130  130 => Allow;
    time                     201    -    - => Allow;
    futex                    202   98   98 => Allow;
    sched_setaffinity        203  122  122 => Allow;
    sched_getaffinity        204  123  123 => Allow;
    set_thread_area          205    -    - => Allow;
    io_setup                 206    0    0 => Allow;
    io_destroy               207    1    1 => Allow;
    io_getevents             208    4    4 => Allow;
    io_submit                209    2    2 => Allow;
    io_cancel                210    3    3 => Allow;
    get_thread_area          211    -    - => Allow;
    epoll_create             213    -    - => Allow;
    remap_file_pages         216  234  234 => Allow;
    getdents64               217   61   61 => Trap;
    set_tid_address          218   96   96 => Allow;
    restart_syscall          219  128  128 => Allow;
    semtimedop               220  192  192 => Allow;
    fadvise64                221  223  223 => Allow;
    timer_create             222  107  107 => Allow;
    timer_settime            223  110  110 => Allow;
    timer_gettime            224  108  108 => Allow;
    timer_getoverrun         225  109  109 => Allow;
    timer_delete             226  111  111 => Allow;
    clock_settime            227  112  112 => Allow;
    clock_gettime            228  113  113 => Allow;
    clock_getres             229  114  114 => Allow;
    clock_nanosleep          230  115  115 => Allow;
    exit_group               231   94   94 => Allow;
    epoll_wait               232    -    - => Allow;
    epoll_ctl                233   21   21 => Allow;
    tgkill                   234  131  131 => Allow;
    utimes                   235    -    - => Trap;
    mbind                    237  235  235 => Allow;
    set_mempolicy            238  237  237 => Allow;
    get_mempolicy            239  236  236 => Allow;
    mq_open                  240  180  180 => Allow;
    mq_unlink                241  181  181 => Allow;
    mq_timedsend             242  182  182 => Allow;
    mq_timedreceive          243  183  183 => Allow;
    mq_notify                244  184  184 => Allow;
    mq_getsetattr            245  185  185 => Allow;
    kexec_load               246  104  104 => Deny(Errno::EPERM);
    waitid                   247   95   95 => Allow;
    add_key                  248  217  217 => Deny(Errno::EPERM);
    request_key              249  218  218 => Deny(Errno::EPERM);
    keyctl                   250  219  219 => Deny(Errno::EPERM);
    ioprio_set               251   30   30 => Allow;
    ioprio_get               252   31   31 => Allow;
    inotify_init             253    -    - => Allow;
    inotify_add_watch        254   27   27 => Trap;
    inotify_rm_watch         255   28   28 => Allow;
    migrate_pages            256  238  238 => Allow;
    openat                   257   56   56 => Args(ArgRule::Openat);
    mkdirat                  258   34   34 => Trap;
    mknodat                  259   33   33 => Trap;
    fchownat                 260   54   54 => Trap;
    futimesat                261    -    - => Trap;
    newfstatat               262   79   79 => Args(ArgRule::StatAt);
    unlinkat                 263   35   35 => Trap;
    renameat                 264   38    - => Trap;
    linkat                   265   37   37 => Trap;
    symlinkat                266   36   36 => Trap;
    readlinkat               267   78   78 => Trap;
    fchmodat                 268   53   53 => Trap;
    faccessat                269   48   48 => Trap;
    pselect6                 270   72   72 => Allow;
    ppoll                    271   73   73 => Allow;
    unshare                  272   97   97 => Allow;
    set_robust_list          273   99   99 => Allow;
    get_robust_list          274  100  100 => Allow;
    splice                   275   76   76 => Allow;
    tee                      276   77   77 => Allow;
    sync_file_range          277   84   84 => Allow;
    vmsplice                 278   75   75 => Allow;
    move_pages               279  239  239 => Allow;
    utimensat                280   88   88 => Trap;
    epoll_pwait              281   22   22 => Allow;
    signalfd                 282    -    - => Allow;
    timerfd_create           283   85   85 => Allow;
    eventfd                  284    -    - => Allow;
    fallocate                285   47   47 => Trap;
    timerfd_settime          286   86   86 => Allow;
    timerfd_gettime          287   87   87 => Allow;
    accept4                  288  242  242 => Allow;
    signalfd4                289   74   74 => Allow;
    eventfd2                 290   19   19 => Allow;
    epoll_create1            291   20   20 => Allow;
    dup3                     292   24   24 => Allow;
    pipe2                    293   59   59 => Allow;
    inotify_init1            294   26   26 => Allow;
    preadv                   295   69   69 => Allow;
    pwritev                  296   70   70 => Allow;
    rt_tgsigqueueinfo        297  240  240 => Allow;
    perf_event_open          298  241  241 => Deny(Errno::EPERM);
    recvmmsg                 299  243  243 => Allow;
    // fanotify hands its listener a descriptor of every file opened on
    // a watched mount, by anyone (husk's own opens, other processes'):
    // read-denied and hidden files included. Refused.
    fanotify_init            300  262  262 => Deny(Errno::EPERM);
    fanotify_mark            301  263  263 => Allow;
    prlimit64                302  261  261 => Allow;
    // A file handle (and, by its errno, whether a name exists) for any
    // path, hidden or not; opening by handle is refused anyway. Refused
    // as a file system that has no handles refuses it.
    name_to_handle_at        303  264  264 => Deny(Errno::EOPNOTSUPP);
    open_by_handle_at        304  265  265 => Deny(Errno::EPERM);
    clock_adjtime            305  266  266 => Allow;
    syncfs                   306  267  267 => Allow;
    sendmmsg                 307  269  269 => Trap;
    // Joining another process's mount or user namespace would make
    // husk resolve paths in a namespace other than the caller's.
    setns                    308  268  268 => Deny(Errno::EPERM);
    getcpu                   309  168  168 => Allow;
    // Another process's memory (husk's, or any process of the user's).
    process_vm_readv         310  270  270 => Deny(Errno::EPERM);
    process_vm_writev        311  271  271 => Deny(Errno::EPERM);
    kcmp                     312  272  272 => Allow;
    finit_module             313  273  273 => Deny(Errno::EPERM);
    sched_setattr            314  274  274 => Allow;
    sched_getattr            315  275  275 => Allow;
    renameat2                316  276  276 => Trap;
    seccomp                  317  277  277 => Args(ArgRule::Seccomp);
    getrandom                318  278  278 => Allow;
    memfd_create             319  279  279 => Allow;
    kexec_file_load          320  294  294 => Deny(Errno::EPERM);
    bpf                      321  280  280 => Deny(Errno::EPERM);
    execveat                 322  281  281 => Trap;
    userfaultfd              323  282  282 => Deny(Errno::EPERM);
    membarrier               324  283  283 => Allow;
    mlock2                   325  284  284 => Allow;
    copy_file_range          326  285  285 => Allow;
    preadv2                  327  286  286 => Allow;
    pwritev2                 328  287  287 => Allow;
    pkey_mprotect            329  288  288 => Args(ArgRule::Mprotect);
    pkey_alloc               330  289  289 => Allow;
    pkey_free                331  290  290 => Allow;
    statx                    332  291  291 => Args(ArgRule::Statx);
    io_pgetevents            333  292  292 => Allow;
    rseq                     334  293  293 => Allow;
    // x86_64 uprobe trampolines' own calls (Linux 6.11/6.16). The
    // kernel runs them without consulting seccomp at all, and kills a
    // caller that is not a trampoline with SIGILL: nothing to decide.
    uretprobe                335    -    - => Allow;
    uprobe                   336    -    - => Allow;
    pidfd_send_signal        424  424  424 => Allow;
    io_uring_setup           425  425  425 => Deny(Errno::ENOSYS);
    io_uring_enter           426  426  426 => Deny(Errno::ENOSYS);
    io_uring_register        427  427  427 => Deny(Errno::ENOSYS);
    open_tree                428  428  428 => Deny(Errno::EPERM);
    move_mount               429  429  429 => Deny(Errno::EPERM);
    fsopen                   430  430  430 => Deny(Errno::EPERM);
    fsconfig                 431  431  431 => Deny(Errno::EPERM);
    fsmount                  432  432  432 => Deny(Errno::EPERM);
    fspick                   433  433  433 => Deny(Errno::EPERM);
    pidfd_open               434  434  434 => Allow;
    // Its flags (CLONE_UNTRACED among them) are in memory, out of the
    // filter's reach. ENOSYS: glibc 2.34+ then falls back to clone.
    clone3                   435  435  435 => Deny(Errno::ENOSYS);
    close_range              436  436  436 => Allow;
    openat2                  437  437  437 => Trap;
    pidfd_getfd              438  438  438 => Deny(Errno::EPERM);
    faccessat2               439  439  439 => Trap;
    process_madvise          440  440  440 => Allow;
    epoll_pwait2             441  441  441 => Allow;
    mount_setattr            442  442  442 => Deny(Errno::EPERM);
    quotactl_fd              443  443  443 => Deny(Errno::EPERM);
    landlock_create_ruleset  444  444  444 => Allow;
    landlock_add_rule        445  445  445 => Allow;
    landlock_restrict_self   446  446  446 => Allow;
    memfd_secret             447  447  447 => Allow;
    process_mrelease         448  448  448 => Allow;
    futex_waitv              449  449  449 => Allow;
    set_mempolicy_home_node  450  450  450 => Allow;
    cachestat                451  451  451 => Allow;
    fchmodat2                452  452  452 => Trap;
    map_shadow_stack         453  453  453 => Allow;
    futex_wake               454  454  454 => Allow;
    futex_wait               455  455  455 => Allow;
    futex_requeue            456  456  456 => Allow;
    statmount                457  457  457 => Allow;
    listmount                458  458  458 => Allow;
    lsm_get_self_attr        459  459  459 => Allow;
    lsm_set_self_attr        460  460  460 => Allow;
    lsm_list_modules         461  461  461 => Allow;
    mseal                    462  462  462 => Allow;
    setxattrat               463  463  463 => Trap;
    getxattrat               464  464  464 => Trap;
    listxattrat              465  465  465 => Trap;
    removexattrat            466  466  466 => Trap;
    open_tree_attr           467  467  467 => Deny(Errno::EPERM);
    file_getattr             468  468  468 => Trap;
    file_setattr             469  469  469 => Trap;
    riscv_flush_icache         -    -  259 => Allow;
}

/// One past the highest native number in the table.
pub const NATIVE_LIMIT: usize = native_limit();

const fn native_limit() -> usize {
    let mut max = 0;
    let mut i = 0;
    while i < TABLE.len() {
        if let Some(nr) = TABLE[i].nr {
            if nr as usize + 1 > max {
                max = nr as usize + 1;
            }
        }
        i += 1;
    }
    max
}

/// Row index + 1 for each native number (0: not in the table).
static INDEX: [u16; NATIVE_LIMIT] = build_index();

const fn build_index() -> [u16; NATIVE_LIMIT] {
    let mut index = [0u16; NATIVE_LIMIT];
    let mut i = 0;
    while i < TABLE.len() {
        if let Some(nr) = TABLE[i].nr {
            // Two rows with one number would make the table ambiguous.
            assert!(
                index[nr as usize] == 0,
                "duplicate system call number in the table"
            );
            index[nr as usize] = (i + 1) as u16;
        }
        i += 1;
    }
    index
}

/// The row for native system call number `nr`.
pub fn lookup(nr: u32) -> Option<&'static Syscall> {
    match INDEX.get(nr as usize) {
        Some(&i) if i != 0 => Some(&TABLE[i as usize - 1]),
        _ => None,
    }
}

/// The name of native system call `nr`, for messages and `-E pfc`.
pub fn name(nr: u32) -> Option<&'static str> {
    lookup(nr).map(|s| s.name)
}

/// The row for a system call name.
pub fn by_name(name: &str) -> Option<&'static Syscall> {
    TABLE.iter().find(|s| s.name == name)
}

/// What the filter does with native number `nr`: the table's class, or
/// ENOSYS for a number the table does not have.
pub fn class_of(nr: u32) -> Class {
    lookup(nr).map_or(Class::Deny(Errno::ENOSYS), |s| s.class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_the_syscall_layer() {
        use crate::sys::nr;
        for (name, n) in [
            ("read", nr::READ),
            ("openat", nr::OPENAT),
            ("execve", nr::EXECVE),
            ("ptrace", nr::PTRACE),
            ("io_uring_setup", nr::IO_URING_SETUP),
            ("mseal", nr::MSEAL),
            ("fchmodat2", nr::FCHMODAT2),
        ] {
            assert_eq!(by_name(name).unwrap().nr, Some(n as u32), "{name}");
            assert_eq!(lookup(n as u32).unwrap().name, name);
        }
    }

    #[test]
    fn every_policy_call_is_trapped() {
        // POLICY.md's category table, native calls only.
        for name in [
            "stat",
            "lstat",
            "access",
            "faccessat",
            "faccessat2",
            "statfs",
            "openat2",
            "creat",
            "getxattr",
            "listxattr",
            "execve",
            "execveat",
            "unlink",
            "unlinkat",
            "rename",
            "renameat",
            "renameat2",
            "link",
            "linkat",
            "symlink",
            "symlinkat",
            "readlink",
            "readlinkat",
            "truncate",
            "ftruncate",
            "fallocate",
            "chdir",
            "fchdir",
            "mkdir",
            "mkdirat",
            "rmdir",
            "chown",
            "fchown",
            "lchown",
            "fchownat",
            "chmod",
            "fchmod",
            "fchmodat",
            "fchmodat2",
            "setxattr",
            "removexattr",
            "utime",
            "utimes",
            "futimesat",
            "utimensat",
            "mknod",
            "mknodat",
            "bind",
            "socketpair",
            "connect",
            "sendmsg",
            "sendmmsg",
        ] {
            let row = by_name(name).unwrap_or_else(|| panic!("{name} missing"));
            if row.nr.is_some() {
                assert!(
                    matches!(row.class, Class::Trap),
                    "{name} is {:?}",
                    row.class
                );
            }
        }
        for (name, rule) in [
            ("sendto", ArgRule::SendTo),
            ("open", ArgRule::Open),
            ("openat", ArgRule::Openat),
            ("mmap", ArgRule::Mmap),
            ("mprotect", ArgRule::Mprotect),
            ("pkey_mprotect", ArgRule::Mprotect),
            ("newfstatat", ArgRule::StatAt),
            ("statx", ArgRule::Statx),
        ] {
            assert_eq!(by_name(name).unwrap().class, Class::Args(rule), "{name}");
        }
    }

    #[test]
    fn escape_routes_are_refused() {
        for name in [
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "process_vm_writev",
            "process_vm_readv",
            "bpf",
            "perf_event_open",
            "userfaultfd",
            "open_by_handle_at",
            "kexec_load",
            "init_module",
            "finit_module",
            "add_key",
            "keyctl",
            "clone3",
            "setns",
            "fanotify_init",
        ] {
            assert!(
                matches!(by_name(name).unwrap().class, Class::Deny(_)),
                "{name}"
            );
        }
        assert_eq!(
            by_name("ptrace").unwrap().class,
            Class::Args(ArgRule::Ptrace)
        );
        assert_eq!(
            by_name("seccomp").unwrap().class,
            Class::Args(ArgRule::Seccomp)
        );
        assert_eq!(by_name("ioctl").unwrap().class, Class::Args(ArgRule::Ioctl));
        assert_eq!(by_name("clone").unwrap().class, Class::Args(ArgRule::Clone));
        // ENOSYS, not EPERM: the libc's cue to fall back to clone.
        assert_eq!(by_name("clone3").unwrap().class, Class::Deny(Errno::ENOSYS));
    }

    #[test]
    fn unknown_numbers_are_enosys() {
        assert_eq!(
            class_of(NATIVE_LIMIT as u32 + 5),
            Class::Deny(Errno::ENOSYS)
        );
        assert_eq!(class_of(u32::MAX), Class::Deny(Errno::ENOSYS));
        #[cfg(target_arch = "x86_64")]
        assert_eq!(class_of(400), Class::Deny(Errno::ENOSYS));
    }
}
