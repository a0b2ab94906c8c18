"""Regenerate the PNG and ICO icons from blogapp/static/favicon.svg with Debian's Chromium.

    .venv/bin/python scripts/build_icons.py

Writes icon-192.png, icon-512.png (web manifest, apple-touch-icon) and favicon.ico (a
32x32 PNG inside an ICO container, for clients that ask /favicon.ico blindly).
"""

import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "blogapp" / "static"


def main():
    svg = (STATIC / "favicon.svg").read_text()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--headless=new", "--no-sandbox"])
        pngs = {}
        for size in (32, 192, 512):
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(f'<html><body style="margin:0;background:transparent">'
                             f'<div style="width:{size}px;height:{size}px">{svg}</div></body></html>')
            page.locator("svg").evaluate(f"s => {{ s.setAttribute('width', {size}); s.setAttribute('height', {size}); }}")
            pngs[size] = page.screenshot(omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size})
            page.close()
        browser.close()
    (STATIC / "icon-192.png").write_bytes(pngs[192])
    (STATIC / "icon-512.png").write_bytes(pngs[512])
    png = pngs[32]
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 32, 32, 0, 0, 1, 32, len(png), 6 + 16)
    (STATIC / "favicon.ico").write_bytes(header + entry + png)


if __name__ == "__main__":
    main()
