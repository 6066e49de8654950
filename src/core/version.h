/* The version of this build, as User-Agent and --version show it. */
#ifndef CORE_VERSION_H
#define CORE_VERSION_H

#define PITCHBAR_VERSION "0.1.0"

#endif
