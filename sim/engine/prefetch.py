"""A hint to the processor: fetch into cache the memory a loop will read soon.

Where a compiled loop reads an array at places it cannot predict (the
network's ties of the consumers who talk this week, sim/engine/word_of_mouth.py),
each read waits for main memory; asking for a read some iterations ahead lets
those waits overlap. Results do not change: only when the memory arrives.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def prefetch(typingctx, array, index):
    """Prefetch `array[index]` for reading (LLVM's llvm.prefetch; a no-op on
    processors without it)."""
    signature = types.void(array, index)

    def codegen(context, builder, sig, args):
        array_type = sig.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        address = cgutils.get_item_pointer(
            context, builder, array_type, view, [args[1]], wraparound=False
        )
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
            "llvm.prefetch.p0i8",
        )
        # read (0), keep in all cache levels (3), data not instructions (1)
        read, keep, data = (ir.Constant(i32, v) for v in (0, 3, 1))
        builder.call(function, [builder.bitcast(address, byte_pointer), read, keep, data])
        return context.get_dummy_value()

    return signature, codegen
