#include <git2.h>
// In-memory object database for side-effect-free tree computations (GitRepository.indexMatchesHead).
#include <git2/sys/repository.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/mempack.h>
