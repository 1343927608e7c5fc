// musiclab data (see docs/data.md)
#pragma once

