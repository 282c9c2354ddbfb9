# lit configuration for EagerJIT's FileCheck tests.
import os

import lit.formats

config.name = "EagerJIT"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ej_obj_root, "test", "lit")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

# ej-opt from this build; FileCheck, not and split-file from LLVM.
config.environment["PATH"] = os.pathsep.join(
    [config.ej_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])

# Compiled kernels go to a disk cache of this build's own, never the user's.
config.environment["EJ_JIT_DISK_CACHE"] = os.path.join(
    config.test_exec_root, "kernel-cache")
