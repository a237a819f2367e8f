"""Exercise pictures: each catalog exercise's key position drawn from the pose data in
posture/data/exercise_poses.json (`python -m posture.pictures` draws them all again)."""
