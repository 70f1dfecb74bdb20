"""Audio capture: devices, recorder (callback -> queue -> writer thread), segments,
quality verdict, markers and clips.

Nothing here imports Textual or the store; `sounddevice` is imported lazily (devices.py)
so a machine without PortAudio still runs the rest of the program.
"""
