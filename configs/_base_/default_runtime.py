# mmseg's runtime plus the mmssl plugin import (registers every mmssl type).
_base_ = 'mmseg::_base_/default_runtime.py'
custom_imports = dict(imports=['mmssl'], allow_failed_imports=False)
