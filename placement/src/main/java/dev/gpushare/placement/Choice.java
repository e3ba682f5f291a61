package dev.gpushare.placement;

/**
 * One GPU (or MIG instance) the fit walk accepted for the current container.
 *
 * @param device index of the GPU in the node's registration order
 * @param memory MiB it takes (a MIG instance takes its template's memory)
 * @param cores  percent of cores it takes
 * @param mig    the MIG instance, or null on a GPU that is not in MIG mode
 */
record Choice(int device, int memory, int cores, MigInstances.Pick mig) {
}
