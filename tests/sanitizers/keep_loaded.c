/* A dlclose that keeps every library loaded, preloaded (LD_PRELOAD) into
 * the sanitizer runs of scripts/test-sanitizers.
 *
 * Open MPI 4.1 loads its components (mca_*.so) with dlopen and closes them
 * in MPI_Finalize, before LeakSanitizer reports at exit. A frame inside a
 * closed library prints as "<unknown module>", or as whatever library was
 * loaded at that address later, so neither a report nor a suppression in
 * lsan.supp could name it. Nothing else changes: the libraries stay mapped
 * until the process exits. */
int dlclose(void *handle);

int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
