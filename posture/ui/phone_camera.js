// The phone page's camera (posture/ui/phone.py): the rear camera's picture, a level guide from
// the motion sensor when the browser gives one, and a self-timer that beeps, since the person
// stands in front of the camera with the screen turned away. The photo goes to Python as a JPEG
// data URL (trigger "photo"); nothing else leaves the page.
export default function (component) {
  const { parentElement: root, setTriggerValue, data } = component;
  const video = root.querySelector("video");
  const level = root.querySelector(".level");
  const count = root.querySelector(".count");
  const status = root.querySelector(".status");
  let stream = null;
  let timer = null;
  let audio = null;

  function beep(seconds) {
    if (!audio) return;
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + seconds);
  }

  function onMotion(event) {
    const g = event.accelerationIncludingGravity;
    if (!g || g.x === null || g.y === null) return;
    // An upright phone has gravity along its long axis: the share across it is the sideways
    // tilt (the camera roll in the photo), the share through the screen the lean.
    const sideways = Math.abs(Math.atan2(g.x, Math.abs(g.y)) * 180 / Math.PI);
    const lean = Math.abs(Math.atan2(g.z, Math.abs(g.y)) * 180 / Math.PI);
    const level_ok = sideways < data.sideways_deg && lean < data.lean_deg;
    level.textContent = level_ok ? "Level ✓"
      : `Not level: ${sideways.toFixed(0)}° sideways, ${lean.toFixed(0)}° leaning`;
    level.dataset.ok = level_ok;
  }

  async function start() {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (window.DeviceMotionEvent && typeof DeviceMotionEvent.requestPermission === "function") {
      try { await DeviceMotionEvent.requestPermission(); } catch (error) { /* no level guide */ }
    }
    window.addEventListener("devicemotion", onMotion);
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 4096 }, height: { ideal: 4096 } }, audio: false });
      video.srcObject = stream;
      await video.play();
      status.textContent = "";
      root.querySelectorAll(".take").forEach((button) => { button.disabled = false; });
    } catch (error) {
      status.textContent = `The camera did not start (${error.name}). Use Upload instead.`;
    }
  }

  function capture() {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    beep(0.6);
    setTriggerValue("photo", canvas.toDataURL("image/jpeg", 0.92));
  }

  function after(seconds) {
    clearInterval(timer);
    let left = seconds;
    count.textContent = left;
    beep(0.08);
    timer = setInterval(() => {
      left -= 1;
      if (left > 0) {
        count.textContent = left;
        beep(0.08);
      } else {
        clearInterval(timer);
        count.textContent = "";
        capture();
      }
    }, 1000);
  }

  root.querySelector(".timer").textContent = `Take in ${data.timer_s} s`;
  root.querySelector(".start").onclick = start;
  root.querySelector(".now").onclick = () => capture();
  root.querySelector(".timer").onclick = () => after(data.timer_s);
  return () => {
    clearInterval(timer);
    window.removeEventListener("devicemotion", onMotion);
    if (stream) stream.getTracks().forEach((track) => track.stop());
  };
}
