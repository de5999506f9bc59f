#!/bin/sh
# Root's part of bench/docker.mjs: the generated oci.conf and scrun.lua, so Docker's containers
# run as Slurm jobs.
set -e
/project/bin/slurm-oci generate oci-conf --preset crun-run --slurm-version 24.11 -o /etc/slurm/oci.conf --force 2>/dev/null
/project/bin/slurm-oci generate scrun-lua -o /etc/slurm/scrun.lua --force
scontrol reconfigure
