/* Sizes shared between the assembly and C parts of the firmware. */
#ifndef NORMAL_LAYOUT_H
#define NORMAL_LAYOUT_H

#define BOOT_STACK_SIZE     16384   /* one stack: boot, service loop and fault handling */
#define EXC_FRAME_SIZE      256     /* x0..x30 saved by the vectors, padded to 16 bytes */

#endif
