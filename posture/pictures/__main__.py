"""`python -m posture.pictures [--sheet FILE]`: draw every exercise's picture again into
posture/data/exercise_pictures/<exercise id>.png; --sheet also writes all of them on one page to
look at."""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

from posture.data_files import PICTURES, load
from posture.pictures.draw import HEIGHT_PX, WIDTH_PX, render
from posture.pictures.figure import exercise_poses

SHEET_COLUMNS = 4
CAPTION_PX = 18


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posture.pictures", description=__doc__)
    parser.add_argument("--sheet", type=Path, help="also write a contact sheet of all pictures here")
    args = parser.parse_args(argv)
    folder = Path(__file__).resolve().parent.parent / "data" / PICTURES
    folder.mkdir(exist_ok=True)
    pictures = {exercise_id: render(pose) for exercise_id, pose in exercise_poses().items()}
    for exercise_id, picture in pictures.items():
        picture.save(folder / f"{exercise_id}.png", optimize=True)
    if args.sheet:
        contact_sheet(pictures).save(args.sheet)
    print(f"{len(pictures)} pictures in {folder}")
    return 0


def contact_sheet(pictures: dict[str, Image.Image]) -> Image.Image:
    """All pictures in a grid, each with its exercise's name, to check them by eye."""
    names = load("corrections.json")["exercises"]
    rows = -(-len(pictures) // SHEET_COLUMNS)
    sheet = Image.new("RGB", (SHEET_COLUMNS * WIDTH_PX, rows * (HEIGHT_PX + CAPTION_PX)), "white")
    draw = ImageDraw.Draw(sheet)
    for index, (exercise_id, picture) in enumerate(pictures.items()):
        x, y = index % SHEET_COLUMNS * WIDTH_PX, index // SHEET_COLUMNS * (HEIGHT_PX + CAPTION_PX)
        sheet.paste(picture.convert("RGB"), (x, y + CAPTION_PX))
        draw.rectangle([x, y, x + WIDTH_PX - 1, y + HEIGHT_PX + CAPTION_PX - 1], outline=(180, 180, 180))
        draw.text((x + 4, y + 3), f"{exercise_id}: {names.get(exercise_id, {}).get('name', '?')}", fill="black")
    return sheet


if __name__ == "__main__":
    raise SystemExit(main())
