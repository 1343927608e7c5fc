// musiclab preprocess (see docs/preprocess.md)
#pragma once

