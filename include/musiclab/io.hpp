// musiclab io (see docs/io.md)
#pragma once

