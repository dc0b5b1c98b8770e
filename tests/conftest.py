import os

# 2-D GUI tests run offscreen; the OpenGL tests are run separately under Xvfb with xcb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
