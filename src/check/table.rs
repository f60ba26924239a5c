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
//! architecture, the kernel's `arch/arm/tools/syscall.tbl` (EABI) for
//! 32-bit ARM and, from 424 on, the unified numbering every
//! architecture shares.
//!
//! 32-bit ARM also has private calls far above the others (from
//! [`PRIVATE_BASE`]); they are looked up apart, so the index stays as
//! small as the ordinary numbers.
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
    ($x:tt $a:tt $r:tt $m:tt) => {
        num!($x)
    };
}
#[cfg(target_arch = "aarch64")]
macro_rules! native {
    ($x:tt $a:tt $r:tt $m:tt) => {
        num!($a)
    };
}
#[cfg(target_arch = "riscv64")]
macro_rules! native {
    ($x:tt $a:tt $r:tt $m:tt) => {
        num!($r)
    };
}
#[cfg(target_arch = "arm")]
macro_rules! native {
    ($x:tt $a:tt $r:tt $m:tt) => {
        num!($m)
    };
}

macro_rules! table {
    ($($name:ident $x:tt $a:tt $r:tt $m:tt => $class:expr;)*) => {
        /// Every system call husk knows, in x86_64 number order (then
        /// the calls only other architectures have).
        pub static TABLE: &[Syscall] = &[
            $(Syscall { name: stringify!($name), nr: native!($x $a $r $m), class: $class },)*
        ];
    };
}

use Class::*;

#[rustfmt::skip]
table! {
    //  name                x86_64 aarch64 riscv64    arm  class
    read                       0   63   63      3 => Allow;
    write                      1   64   64      4 => Allow;
    open                       2    -    -      5 => Args(ArgRule::Open);
    close                      3   57   57      6 => Allow;
    stat                       4    -    -    106 => Trap;
    fstat                      5   80   80    108 => Allow;
    lstat                      6    -    -    107 => Trap;
    poll                       7    -    -    168 => Allow;
    lseek                      8   62   62     19 => Allow;
    mmap                       9  222  222      - => Args(ArgRule::Mmap);
    mprotect                  10  226  226    125 => Args(ArgRule::Mprotect);
    munmap                    11  215  215     91 => Allow;
    brk                       12  214  214     45 => Allow;
    rt_sigaction              13  134  134    174 => Allow;
    rt_sigprocmask            14  135  135    175 => Allow;
    rt_sigreturn              15  139  139    173 => Allow;
    ioctl                     16   29   29     54 => Args(ArgRule::Ioctl);
    pread64                   17   67   67    180 => Allow;
    pwrite64                  18   68   68    181 => Allow;
    readv                     19   65   65    145 => Allow;
    writev                    20   66   66    146 => Allow;
    access                    21    -    -     33 => Trap;
    pipe                      22    -    -     42 => Allow;
    select                    23    -    -      - => Allow;
    sched_yield               24  124  124    158 => Allow;
    mremap                    25  216  216    163 => Allow;
    msync                     26  227  227    144 => Allow;
    mincore                   27  232  232    219 => Allow;
    madvise                   28  233  233    220 => Allow;
    shmget                    29  194  194    307 => Allow;
    shmat                     30  196  196    305 => Allow;
    shmctl                    31  195  195    308 => Allow;
    dup                       32   23   23     41 => Allow;
    dup2                      33    -    -     63 => Allow;
    pause                     34    -    -     29 => Allow;
    nanosleep                 35  101  101    162 => Allow;
    getitimer                 36  102  102    105 => Allow;
    alarm                     37    -    -      - => Allow;
    setitimer                 38  103  103    104 => Allow;
    getpid                    39  172  172     20 => Allow;
    sendfile                  40   71   71    187 => Allow;
    socket                    41  198  198    281 => Args(ArgRule::Socket);
    connect                   42  203  203    283 => Trap;
    accept                    43  202  202    285 => Allow;
    sendto                    44  206  206    290 => Args(ArgRule::SendTo);
    recvfrom                  45  207  207    292 => Allow;
    sendmsg                   46  211  211    296 => Trap;
    recvmsg                   47  212  212    297 => Allow;
    shutdown                  48  210  210    293 => Allow;
    bind                      49  200  200    282 => Trap;
    listen                    50  201  201    284 => Trap;
    getsockname               51  204  204    286 => Allow;
    getpeername               52  205  205    287 => Allow;
    socketpair                53  199  199    288 => Trap;
    setsockopt                54  208  208    294 => Allow;
    getsockopt                55  209  209    295 => Allow;
    clone                     56  220  220    120 => Args(ArgRule::Clone);
    fork                      57    -    -      2 => Allow;
    vfork                     58    -    -    190 => Allow;
    execve                    59  221  221     11 => Trap;
    exit                      60   93   93      1 => Allow;
    wait4                     61  260  260    114 => Allow;
    kill                      62  129  129     37 => Allow;
    uname                     63  160  160    122 => Allow;
    semget                    64  190  190    299 => Allow;
    semop                     65  193  193    298 => Allow;
    semctl                    66  191  191    300 => Allow;
    shmdt                     67  197  197    306 => Allow;
    msgget                    68  186  186    303 => Allow;
    msgsnd                    69  189  189    301 => Allow;
    msgrcv                    70  188  188    302 => Allow;
    msgctl                    71  187  187    304 => Allow;
    fcntl                     72   25   25     55 => Allow;
    flock                     73   32   32    143 => Allow;
    fsync                     74   82   82    118 => Allow;
    fdatasync                 75   83   83    148 => Allow;
    truncate                  76   45   45     92 => Trap;
    ftruncate                 77   46   46     93 => Trap;
    getdents                  78    -    -    141 => Trap;
    getcwd                    79   17   17    183 => Allow;
    chdir                     80   49   49     12 => Trap;
    fchdir                    81   50   50    133 => Trap;
    rename                    82    -    -     38 => Trap;
    mkdir                     83    -    -     39 => Trap;
    rmdir                     84    -    -     40 => Trap;
    creat                     85    -    -      8 => Trap;
    link                      86    -    -      9 => Trap;
    unlink                    87    -    -     10 => Trap;
    symlink                   88    -    -     83 => Trap;
    readlink                  89    -    -     85 => Trap;
    chmod                     90    -    -     15 => Trap;
    fchmod                    91   52   52     94 => Trap;
    chown                     92    -    -    182 => Trap;
    fchown                    93   55   55     95 => Trap;
    lchown                    94    -    -     16 => Trap;
    umask                     95  166  166     60 => Allow;
    gettimeofday              96  169  169     78 => Allow;
    getrlimit                 97  163  163      - => Allow;
    getrusage                 98  165  165     77 => Allow;
    sysinfo                   99  179  179    116 => Allow;
    times                    100  153  153     43 => Allow;
    ptrace                   101  117  117     26 => Args(ArgRule::Ptrace);
    getuid                   102  174  174     24 => Allow;
    syslog                   103  116  116    103 => Allow;
    getgid                   104  176  176     47 => Allow;
    setuid                   105  146  146     23 => Allow;
    setgid                   106  144  144     46 => Allow;
    geteuid                  107  175  175     49 => Allow;
    getegid                  108  177  177     50 => Allow;
    setpgid                  109  154  154     57 => Allow;
    getppid                  110  173  173     64 => Allow;
    getpgrp                  111    -    -     65 => Allow;
    setsid                   112  157  157     66 => Allow;
    setreuid                 113  145  145     70 => Allow;
    setregid                 114  143  143     71 => Allow;
    getgroups                115  158  158     80 => Allow;
    setgroups                116  159  159     81 => Allow;
    setresuid                117  147  147    164 => Allow;
    getresuid                118  148  148    165 => Allow;
    setresgid                119  149  149    170 => Allow;
    getresgid                120  150  150    171 => Allow;
    getpgid                  121  155  155    132 => Allow;
    setfsuid                 122  151  151    138 => Allow;
    setfsgid                 123  152  152    139 => Allow;
    getsid                   124  156  156    147 => Allow;
    capget                   125   90   90    184 => Allow;
    capset                   126   91   91    185 => Allow;
    rt_sigpending            127  136  136    176 => Allow;
    rt_sigtimedwait          128  137  137    177 => Allow;
    rt_sigqueueinfo          129  138  138    178 => Allow;
    rt_sigsuspend            130  133  133    179 => Allow;
    sigaltstack              131  132  132    186 => Allow;
    utime                    132    -    -      - => Trap;
    mknod                    133    -    -     14 => Trap;
    personality              135   92   92    136 => Allow;
    statfs                   137   43   43     99 => Trap;
    fstatfs                  138   44   44    100 => Allow;
    getpriority              140  141  141     96 => Allow;
    setpriority              141  140  140     97 => Allow;
    sched_setparam           142  118  118    154 => Allow;
    sched_getparam           143  121  121    155 => Allow;
    sched_setscheduler       144  119  119    156 => Allow;
    sched_getscheduler       145  120  120    157 => Allow;
    sched_get_priority_max   146  125  125    159 => Allow;
    sched_get_priority_min   147  126  126    160 => Allow;
    sched_rr_get_interval    148  127  127    161 => Allow;
    mlock                    149  228  228    150 => Allow;
    munlock                  150  229  229    151 => Allow;
    mlockall                 151  230  230    152 => Allow;
    munlockall               152  231  231    153 => Allow;
    vhangup                  153   58   58    111 => Deny(Errno::EPERM);
    modify_ldt               154    -    -      - => Allow;
    pivot_root               155   41   41    218 => Deny(Errno::EPERM);
    prctl                    157  167  167    172 => Args(ArgRule::Prctl);
    arch_prctl               158    -    -      - => Allow;
    adjtimex                 159  171  171    124 => Allow;
    setrlimit                160  164  164     75 => Allow;
    chroot                   161   51   51     61 => Deny(Errno::EPERM);
    sync                     162   81   81     36 => Allow;
    acct                     163   89   89     51 => Deny(Errno::EPERM);
    settimeofday             164  170  170     79 => Allow;
    mount                    165   40   40     21 => Deny(Errno::EPERM);
    umount2                  166   39   39     52 => Deny(Errno::EPERM);
    swapon                   167  224  224     87 => Deny(Errno::EPERM);
    swapoff                  168  225  225    115 => Deny(Errno::EPERM);
    reboot                   169  142  142     88 => Deny(Errno::EPERM);
    sethostname              170  161  161     74 => Allow;
    setdomainname            171  162  162    121 => Allow;
    iopl                     172    -    -      - => Deny(Errno::EPERM);
    ioperm                   173    -    -      - => Deny(Errno::EPERM);
    init_module              175  105  105    128 => Deny(Errno::EPERM);
    delete_module            176  106  106    129 => Deny(Errno::EPERM);
    quotactl                 179   60   60    131 => Deny(Errno::EPERM);
    gettid                   186  178  178    224 => Allow;
    readahead                187  213  213    225 => Allow;
    setxattr                 188    5    5    226 => Trap;
    lsetxattr                189    6    6    227 => Trap;
    fsetxattr                190    7    7    228 => Trap;
    getxattr                 191    8    8    229 => Trap;
    lgetxattr                192    9    9    230 => Trap;
    fgetxattr                193   10   10    231 => Trap;
    listxattr                194   11   11    232 => Trap;
    llistxattr               195   12   12    233 => Trap;
    flistxattr               196   13   13    234 => Trap;
    removexattr              197   14   14    235 => Trap;
    lremovexattr             198   15   15    236 => Trap;
    fremovexattr             199   16   16    237 => Trap;
    tkill                    200  130  130    238 => Allow;
    time                     201    -    -      - => Allow;
    futex                    202   98   98    240 => Allow;
    sched_setaffinity        203  122  122    241 => Allow;
    sched_getaffinity        204  123  123    242 => Allow;
    set_thread_area          205    -    -      - => Allow;
    io_setup                 206    0    0    243 => Allow;
    io_destroy               207    1    1    244 => Allow;
    io_getevents             208    4    4    245 => Allow;
    io_submit                209    2    2    246 => Allow;
    io_cancel                210    3    3    247 => Allow;
    get_thread_area          211    -    -      - => Allow;
    epoll_create             213    -    -    250 => Allow;
    remap_file_pages         216  234  234    253 => Allow;
    getdents64               217   61   61    217 => Trap;
    set_tid_address          218   96   96    256 => Allow;
    restart_syscall          219  128  128      0 => Allow;
    semtimedop               220  192  192    312 => Allow;
    fadvise64                221  223  223      - => Allow;
    timer_create             222  107  107    257 => Allow;
    timer_settime            223  110  110    258 => Allow;
    timer_gettime            224  108  108    259 => Allow;
    timer_getoverrun         225  109  109    260 => Allow;
    timer_delete             226  111  111    261 => Allow;
    clock_settime            227  112  112    262 => Allow;
    clock_gettime            228  113  113    263 => Allow;
    clock_getres             229  114  114    264 => Allow;
    clock_nanosleep          230  115  115    265 => Allow;
    exit_group               231   94   94    248 => Allow;
    epoll_wait               232    -    -    252 => Allow;
    epoll_ctl                233   21   21    251 => Allow;
    tgkill                   234  131  131    268 => Allow;
    utimes                   235    -    -    269 => Trap;
    mbind                    237  235  235    319 => Allow;
    set_mempolicy            238  237  237    321 => Allow;
    get_mempolicy            239  236  236    320 => Allow;
    mq_open                  240  180  180    274 => Allow;
    mq_unlink                241  181  181    275 => Allow;
    mq_timedsend             242  182  182    276 => Allow;
    mq_timedreceive          243  183  183    277 => Allow;
    mq_notify                244  184  184    278 => Allow;
    mq_getsetattr            245  185  185    279 => Allow;
    kexec_load               246  104  104    347 => Deny(Errno::EPERM);
    waitid                   247   95   95    280 => Allow;
    add_key                  248  217  217    309 => Deny(Errno::EPERM);
    request_key              249  218  218    310 => Deny(Errno::EPERM);
    keyctl                   250  219  219    311 => Deny(Errno::EPERM);
    ioprio_set               251   30   30    314 => Allow;
    ioprio_get               252   31   31    315 => Allow;
    inotify_init             253    -    -    316 => Allow;
    inotify_add_watch        254   27   27    317 => Trap;
    inotify_rm_watch         255   28   28    318 => Allow;
    migrate_pages            256  238  238    400 => Allow;
    openat                   257   56   56    322 => Args(ArgRule::Openat);
    mkdirat                  258   34   34    323 => Trap;
    mknodat                  259   33   33    324 => Trap;
    fchownat                 260   54   54    325 => Trap;
    futimesat                261    -    -    326 => Trap;
    newfstatat               262   79   79      - => Args(ArgRule::StatAt);
    unlinkat                 263   35   35    328 => Trap;
    renameat                 264   38    -    329 => Trap;
    linkat                   265   37   37    330 => Trap;
    symlinkat                266   36   36    331 => Trap;
    readlinkat               267   78   78    332 => Trap;
    fchmodat                 268   53   53    333 => Trap;
    faccessat                269   48   48    334 => Trap;
    pselect6                 270   72   72    335 => Allow;
    ppoll                    271   73   73    336 => Allow;
    unshare                  272   97   97    337 => Allow;
    set_robust_list          273   99   99    338 => Allow;
    get_robust_list          274  100  100    339 => Allow;
    splice                   275   76   76    340 => Allow;
    tee                      276   77   77    342 => Allow;
    sync_file_range          277   84   84      - => Allow;
    vmsplice                 278   75   75    343 => Allow;
    move_pages               279  239  239    344 => Allow;
    utimensat                280   88   88    348 => Trap;
    epoll_pwait              281   22   22    346 => Allow;
    signalfd                 282    -    -    349 => Allow;
    timerfd_create           283   85   85    350 => Allow;
    eventfd                  284    -    -    351 => Allow;
    fallocate                285   47   47    352 => Trap;
    timerfd_settime          286   86   86    353 => Allow;
    timerfd_gettime          287   87   87    354 => Allow;
    accept4                  288  242  242    366 => Allow;
    signalfd4                289   74   74    355 => Allow;
    eventfd2                 290   19   19    356 => Allow;
    epoll_create1            291   20   20    357 => Allow;
    dup3                     292   24   24    358 => Allow;
    pipe2                    293   59   59    359 => Allow;
    inotify_init1            294   26   26    360 => Allow;
    preadv                   295   69   69    361 => Allow;
    pwritev                  296   70   70    362 => Allow;
    rt_tgsigqueueinfo        297  240  240    363 => Allow;
    perf_event_open          298  241  241    364 => Deny(Errno::EPERM);
    recvmmsg                 299  243  243    365 => Allow;
    // fanotify hands its listener a descriptor of every file opened on
    // a watched mount, by anyone (husk's own opens, other processes'):
    // read-denied and hidden files included. Refused.
    fanotify_init            300  262  262    367 => Deny(Errno::EPERM);
    fanotify_mark            301  263  263    368 => Allow;
    prlimit64                302  261  261    369 => Allow;
    // A file handle (and, by its errno, whether a name exists) for any
    // path, hidden or not; opening by handle is refused anyway. Refused
    // as a file system that has no handles refuses it.
    name_to_handle_at        303  264  264    370 => Deny(Errno::EOPNOTSUPP);
    open_by_handle_at        304  265  265    371 => Deny(Errno::EPERM);
    clock_adjtime            305  266  266    372 => Allow;
    syncfs                   306  267  267    373 => Allow;
    sendmmsg                 307  269  269    374 => Trap;
    // Joining another process's mount or user namespace would make
    // husk resolve paths in a namespace other than the caller's.
    setns                    308  268  268    375 => Deny(Errno::EPERM);
    getcpu                   309  168  168    345 => Allow;
    // Another process's memory (husk's, or any process of the user's).
    process_vm_readv         310  270  270    376 => Deny(Errno::EPERM);
    process_vm_writev        311  271  271    377 => Deny(Errno::EPERM);
    kcmp                     312  272  272    378 => Allow;
    finit_module             313  273  273    379 => Deny(Errno::EPERM);
    sched_setattr            314  274  274    380 => Allow;
    sched_getattr            315  275  275    381 => Allow;
    renameat2                316  276  276    382 => Trap;
    seccomp                  317  277  277    383 => Args(ArgRule::Seccomp);
    getrandom                318  278  278    384 => Allow;
    memfd_create             319  279  279    385 => Allow;
    kexec_file_load          320  294  294    401 => Deny(Errno::EPERM);
    bpf                      321  280  280    386 => Deny(Errno::EPERM);
    execveat                 322  281  281    387 => Trap;
    userfaultfd              323  282  282    388 => Deny(Errno::EPERM);
    membarrier               324  283  283    389 => Allow;
    mlock2                   325  284  284    390 => Allow;
    copy_file_range          326  285  285    391 => Allow;
    preadv2                  327  286  286    392 => Allow;
    pwritev2                 328  287  287    393 => Allow;
    pkey_mprotect            329  288  288    394 => Args(ArgRule::Mprotect);
    pkey_alloc               330  289  289    395 => Allow;
    pkey_free                331  290  290    396 => Allow;
    statx                    332  291  291    397 => Args(ArgRule::Statx);
    io_pgetevents            333  292  292    399 => Allow;
    rseq                     334  293  293    398 => Allow;
    // x86_64 uprobe trampolines' own calls (Linux 6.11/6.16). The
    // kernel runs them without consulting seccomp at all, and kills a
    // caller that is not a trampoline with SIGILL: nothing to decide.
    uretprobe                335    -    -      - => Allow;
    uprobe                   336    -    -      - => Allow;
    pidfd_send_signal        424  424  424    424 => Allow;
    io_uring_setup           425  425  425    425 => Deny(Errno::ENOSYS);
    io_uring_enter           426  426  426    426 => Deny(Errno::ENOSYS);
    io_uring_register        427  427  427    427 => Deny(Errno::ENOSYS);
    open_tree                428  428  428    428 => Deny(Errno::EPERM);
    move_mount               429  429  429    429 => Deny(Errno::EPERM);
    fsopen                   430  430  430    430 => Deny(Errno::EPERM);
    fsconfig                 431  431  431    431 => Deny(Errno::EPERM);
    fsmount                  432  432  432    432 => Deny(Errno::EPERM);
    fspick                   433  433  433    433 => Deny(Errno::EPERM);
    pidfd_open               434  434  434    434 => Allow;
    // Its flags (CLONE_UNTRACED among them) are in memory, out of the
    // filter's reach. ENOSYS: glibc 2.34+ then falls back to clone.
    clone3                   435  435  435    435 => Deny(Errno::ENOSYS);
    close_range              436  436  436    436 => Allow;
    openat2                  437  437  437    437 => Trap;
    pidfd_getfd              438  438  438    438 => Deny(Errno::EPERM);
    faccessat2               439  439  439    439 => Trap;
    process_madvise          440  440  440    440 => Allow;
    epoll_pwait2             441  441  441    441 => Allow;
    mount_setattr            442  442  442    442 => Deny(Errno::EPERM);
    quotactl_fd              443  443  443    443 => Deny(Errno::EPERM);
    landlock_create_ruleset  444  444  444    444 => Allow;
    landlock_add_rule        445  445  445    445 => Allow;
    landlock_restrict_self   446  446  446    446 => Allow;
    memfd_secret             447  447  447    447 => Allow;
    process_mrelease         448  448  448    448 => Allow;
    futex_waitv              449  449  449    449 => Allow;
    set_mempolicy_home_node  450  450  450    450 => Allow;
    cachestat                451  451  451    451 => Allow;
    fchmodat2                452  452  452    452 => Trap;
    map_shadow_stack         453  453  453    453 => Allow;
    futex_wake               454  454  454    454 => Allow;
    futex_wait               455  455  455    455 => Allow;
    futex_requeue            456  456  456    456 => Allow;
    statmount                457  457  457    457 => Allow;
    listmount                458  458  458    458 => Allow;
    lsm_get_self_attr        459  459  459    459 => Allow;
    lsm_set_self_attr        460  460  460    460 => Allow;
    lsm_list_modules         461  461  461    461 => Allow;
    mseal                    462  462  462    462 => Allow;
    setxattrat               463  463  463    463 => Trap;
    getxattrat               464  464  464    464 => Trap;
    listxattrat              465  465  465    465 => Trap;
    removexattrat            466  466  466    466 => Trap;
    open_tree_attr           467  467  467    467 => Deny(Errno::EPERM);
    file_getattr             468  468  468    468 => Trap;
    file_setattr             469  469  469    469 => Trap;
    riscv_flush_icache         -    -  259      - => Allow;
    // 32-bit ARM's own calls (EABI; the old-ABI ones, 0x900000 up, are
    // numbers the table does not have: ENOSYS). Paths, as the
    // x86_64 calls they stand for.
    _llseek                    -    -    -    140 => Allow;
    _newselect                 -    -    -    142 => Allow;
    nice                       -    -    -     34 => Allow;
    sigaction                  -    -    -     67 => Allow;
    sigsuspend                 -    -    -     72 => Allow;
    sigpending                 -    -    -     73 => Allow;
    sigreturn                  -    -    -    119 => Allow;
    sigprocmask                -    -    -    126 => Allow;
    ugetrlimit                 -    -    -    191 => Allow;
    mmap2                      -    -    -    192 => Args(ArgRule::Mmap);
    truncate64                 -    -    -    193 => Trap;
    ftruncate64                -    -    -    194 => Trap;
    stat64                     -    -    -    195 => Trap;
    lstat64                    -    -    -    196 => Trap;
    fstat64                    -    -    -    197 => Allow;
    lchown32                   -    -    -    198 => Trap;
    getuid32                   -    -    -    199 => Allow;
    getgid32                   -    -    -    200 => Allow;
    geteuid32                  -    -    -    201 => Allow;
    getegid32                  -    -    -    202 => Allow;
    setreuid32                 -    -    -    203 => Allow;
    setregid32                 -    -    -    204 => Allow;
    getgroups32                -    -    -    205 => Allow;
    setgroups32                -    -    -    206 => Allow;
    fchown32                   -    -    -    207 => Trap;
    setresuid32                -    -    -    208 => Allow;
    getresuid32                -    -    -    209 => Allow;
    setresgid32                -    -    -    210 => Allow;
    getresgid32                -    -    -    211 => Allow;
    chown32                    -    -    -    212 => Trap;
    setuid32                   -    -    -    213 => Allow;
    setgid32                   -    -    -    214 => Allow;
    setfsuid32                 -    -    -    215 => Allow;
    setfsgid32                 -    -    -    216 => Allow;
    fcntl64                    -    -    -    221 => Allow;
    sendfile64                 -    -    -    239 => Allow;
    statfs64                   -    -    -    266 => Trap;
    fstatfs64                  -    -    -    267 => Allow;
    arm_fadvise64_64           -    -    -    270 => Allow;
    // PCI configuration space: hardware, as iopl/ioperm on x86_64.
    pciconfig_iobase           -    -    -    271 => Deny(Errno::EPERM);
    pciconfig_read             -    -    -    272 => Deny(Errno::EPERM);
    pciconfig_write            -    -    -    273 => Deny(Errno::EPERM);
    // sendto with no address (allowed there too) and recvfrom.
    send                       -    -    -    289 => Allow;
    recv                       -    -    -    291 => Allow;
    fstatat64                  -    -    -    327 => Args(ArgRule::StatAt);
    arm_sync_file_range        -    -    -    341 => Allow;
    // 64-bit time on 32-bit architectures (Linux 5.1).
    clock_gettime64            -    -    -    403 => Allow;
    clock_settime64            -    -    -    404 => Allow;
    clock_adjtime64            -    -    -    405 => Allow;
    clock_getres_time64        -    -    -    406 => Allow;
    clock_nanosleep_time64     -    -    -    407 => Allow;
    timer_gettime64            -    -    -    408 => Allow;
    timer_settime64            -    -    -    409 => Allow;
    timerfd_gettime64          -    -    -    410 => Allow;
    timerfd_settime64          -    -    -    411 => Allow;
    utimensat_time64           -    -    -    412 => Trap;
    pselect6_time64            -    -    -    413 => Allow;
    ppoll_time64               -    -    -    414 => Allow;
    io_pgetevents_time64       -    -    -    416 => Allow;
    recvmmsg_time64            -    -    -    417 => Allow;
    mq_timedsend_time64        -    -    -    418 => Allow;
    mq_timedreceive_time64     -    -    -    419 => Allow;
    semtimedop_time64          -    -    -    420 => Allow;
    rt_sigtimedwait_time64     -    -    -    421 => Allow;
    futex_time64               -    -    -    422 => Allow;
    sched_rr_get_interval_time64 - -    -    423 => Allow;
    // ARM-private calls (`__ARM_NR_*`, 0x0f0000 up): cache maintenance
    // for code a program writes, the TLS register, a breakpoint trap.
    // None names a file, an address or a program.
    breakpoint                 -    -    - 0x0f0001 => Allow;
    cacheflush                 -    -    - 0x0f0002 => Allow;
    usr26                      -    -    - 0x0f0003 => Allow;
    usr32                      -    -    - 0x0f0004 => Allow;
    set_tls                    -    -    - 0x0f0005 => Allow;
    get_tls                    -    -    - 0x0f0006 => Allow;
}

/// Where architecture-private calls start (32-bit ARM's `__ARM_NR_BASE`;
/// no other architecture has numbers this high).
pub const PRIVATE_BASE: u32 = 0x0f_0000;

/// One past the highest native number below [`PRIVATE_BASE`].
pub const NATIVE_LIMIT: usize = limit(0, PRIVATE_BASE);

/// One past the highest native private number ([`PRIVATE_BASE`] if the
/// architecture has none).
pub const PRIVATE_LIMIT: u32 = {
    let end = limit(PRIVATE_BASE, u32::MAX);
    if end == 0 { PRIVATE_BASE } else { end as u32 }
};

/// The native private numbers' span (empty where there are none).
pub fn private_range() -> core::ops::Range<u32> {
    PRIVATE_BASE..PRIVATE_LIMIT
}

/// One past the highest native number in `low..high` (0 if none).
const fn limit(low: u32, high: u32) -> usize {
    let mut max = 0;
    let mut i = 0;
    while i < TABLE.len() {
        if let Some(nr) = TABLE[i].nr {
            if nr >= low && nr < high && nr as usize + 1 > max {
                max = nr as usize + 1;
            }
        }
        i += 1;
    }
    max
}

/// Row index + 1 for each native number below [`NATIVE_LIMIT`] (0: not
/// in the table).
static INDEX: [u16; NATIVE_LIMIT] = build_index();

const fn build_index() -> [u16; NATIVE_LIMIT] {
    let mut index = [0u16; NATIVE_LIMIT];
    let mut i = 0;
    while i < TABLE.len() {
        if let Some(nr) = TABLE[i].nr {
            if nr < PRIVATE_BASE {
                // Two rows with one number would make the table ambiguous.
                assert!(
                    index[nr as usize] == 0,
                    "duplicate system call number in the table"
                );
                index[nr as usize] = (i + 1) as u16;
            } else {
                let mut j = i + 1;
                while j < TABLE.len() {
                    if let Some(other) = TABLE[j].nr {
                        assert!(other != nr, "duplicate system call number in the table");
                    }
                    j += 1;
                }
            }
        }
        i += 1;
    }
    index
}

/// The row for native system call number `nr`.
pub fn lookup(nr: u32) -> Option<&'static Syscall> {
    if nr >= PRIVATE_BASE {
        return TABLE.iter().find(|s| s.nr == Some(nr));
    }
    match INDEX.get(nr as usize) {
        Some(&i) if i != 0 => Some(&TABLE[i as usize - 1]),
        _ => None,
    }
}

/// Calls checked as another call of the table: same operands in the
/// same argument positions (a path, a descriptor, flags, ids), told
/// apart only by what the checker never reads (the width of an offset,
/// of an id or of a time, the layout of a `stat` buffer). 32-bit ARM's
/// own spellings of the x86_64 calls.
const CHECKED_AS: &[(&str, &str)] = &[
    ("stat64", "stat"),
    ("lstat64", "lstat"),
    ("fstatat64", "newfstatat"),
    ("statfs64", "statfs"),
    ("truncate64", "truncate"),
    ("ftruncate64", "ftruncate"),
    ("chown32", "chown"),
    ("lchown32", "lchown"),
    ("fchown32", "fchown"),
    ("mmap2", "mmap"),
    ("utimensat_time64", "utimensat"),
    ("setuid32", "setuid"),
    ("setgid32", "setgid"),
    ("setreuid32", "setreuid"),
    ("setregid32", "setregid"),
    ("setresuid32", "setresuid"),
    ("setresgid32", "setresgid"),
    ("setfsuid32", "setfsuid"),
    ("setfsgid32", "setfsgid"),
    ("setgroups32", "setgroups"),
];

/// The call `name` is checked as: itself, or the call of [`CHECKED_AS`]
/// it stands for.
pub const fn checked_as(name: &'static str) -> &'static str {
    let mut i = 0;
    while i < CHECKED_AS.len() {
        if same(CHECKED_AS[i].0, name) {
            return CHECKED_AS[i].1;
        }
        i += 1;
    }
    name
}

/// `a == b`, in constants too (the per-number tables are built at
/// compile time from names).
pub const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `name` is on `list`, in constants too.
pub const fn listed(list: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < list.len() {
        if same(list[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

/// The native name of number `nr` below [`NATIVE_LIMIT`], at compile
/// time too (`None`: not in the table).
pub const fn native_name(nr: usize) -> Option<&'static str> {
    match INDEX[nr] {
        0 => None,
        i => Some(TABLE[i as usize - 1].name),
    }
}

/// Row index + 1 of the call each native number below [`NATIVE_LIMIT`]
/// is checked as ([`checked_as`]; 0: not in the table), worked out at
/// compile time: the checker names a trapped call without comparing
/// strings.
static CHECKED_INDEX: [u16; NATIVE_LIMIT] = {
    let mut index = [0u16; NATIVE_LIMIT];
    let mut nr = 0;
    while nr < NATIVE_LIMIT {
        if let Some(name) = checked_name(nr) {
            let mut i = 0;
            while i < TABLE.len() {
                if same(TABLE[i].name, name) {
                    index[nr] = (i + 1) as u16;
                    break;
                }
                i += 1;
            }
            // Every alias names a call of the table.
            assert!(index[nr] != 0, "a CHECKED_AS target is not in the table");
        }
        nr += 1;
    }
    index
};

/// The name native call `nr` is checked as (`None`: not in the table).
pub fn checked_name_of(nr: u32) -> Option<&'static str> {
    match CHECKED_INDEX.get(nr as usize) {
        Some(&0) => None,
        Some(&i) => Some(TABLE[i as usize - 1].name),
        // Private numbers (32-bit ARM's): by name.
        None => name(nr).map(checked_as),
    }
}

/// The name a native number below [`NATIVE_LIMIT`] is checked as, at
/// compile time (`None`: not in the table).
pub const fn checked_name(nr: usize) -> Option<&'static str> {
    match native_name(nr) {
        Some(own) => Some(checked_as(own)),
        None => None,
    }
}

/// The native number of the call `name`, or of the call checked as
/// `name` where the architecture spells it otherwise (`mmap2` for
/// `mmap` on 32-bit ARM).
pub fn native_as(name: &str) -> Option<u32> {
    by_name(name).and_then(|s| s.nr).or_else(|| {
        TABLE
            .iter()
            .find(|s| s.nr.is_some() && checked_as(s.name) == name)
            .and_then(|s| s.nr)
    })
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
    fn aliases_are_checked_as_a_call_of_the_same_kind() {
        for &(alias, call) in CHECKED_AS {
            let a = by_name(alias).unwrap_or_else(|| panic!("{alias} missing"));
            let c = by_name(call).unwrap_or_else(|| panic!("{call} missing"));
            // A trapped call stands for a trapped (or argument-ruled)
            // one; an allowed one for an allowed one.
            let kind = |class: Class| match class {
                Class::Trap | Class::Args(_) => 1,
                Class::Allow => 2,
                Class::Deny(_) => 3,
            };
            assert_eq!(kind(a.class), kind(c.class), "{alias} as {call}");
            assert_eq!(checked_as(a.name), call);
        }
        assert_eq!(checked_as(by_name("read").unwrap().name), "read");
    }

    /// 32-bit ARM's own spellings of the checked calls.
    #[cfg(target_arch = "arm")]
    #[test]
    fn arm_calls_are_covered() {
        use crate::sys::nr;
        for name in [
            "stat64",
            "lstat64",
            "statfs64",
            "truncate64",
            "ftruncate64",
            "chown32",
            "lchown32",
            "fchown32",
            "utimensat_time64",
            // The 16-bit-id originals are checked too.
            "chown",
            "lchown",
            "fchown",
            "getdents",
        ] {
            let row = by_name(name).unwrap_or_else(|| panic!("{name} missing"));
            assert!(row.nr.is_some(), "{name} has no arm number");
            assert_eq!(row.class, Class::Trap, "{name}");
        }
        assert_eq!(by_name("mmap2").unwrap().class, Class::Args(ArgRule::Mmap));
        assert_eq!(
            by_name("fstatat64").unwrap().class,
            Class::Args(ArgRule::StatAt)
        );
        // What husk itself calls under the 64-bit names.
        assert_eq!(lookup(nr::NEWFSTATAT as u32).unwrap().name, "fstatat64");
        assert_eq!(lookup(nr::MMAP as u32).unwrap().name, "mmap2");
        assert_eq!(lookup(nr::SETRESUID as u32).unwrap().name, "setresuid32");
        assert_eq!(lookup(nr::GETUID as u32).unwrap().name, "getuid32");
        // libc's thread pointer and JIT cache flushes run.
        assert_eq!(class_of(nr::ARM_SET_TLS as u32), Class::Allow);
        assert_eq!(class_of(nr::ARM_CACHEFLUSH as u32), Class::Allow);
        assert_eq!(
            class_of(nr::ARM_GET_TLS as u32 + 1),
            Class::Deny(Errno::ENOSYS)
        );
        // EABI has no socketcall (102) or ipc (117): ENOSYS, so a libc
        // uses the direct calls the filter sees. Old-ABI numbers too.
        assert_eq!(class_of(102), Class::Deny(Errno::ENOSYS));
        assert_eq!(class_of(117), Class::Deny(Errno::ENOSYS));
        assert_eq!(
            class_of((nr::OABI_BASE + nr::OPENAT) as u32),
            Class::Deny(Errno::ENOSYS)
        );
        assert_eq!(lookup(nr::OPENAT as u32).unwrap().name, "openat");
        assert_eq!(lookup(nr::STAT64 as u32).unwrap().name, "stat64");
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
