# Weight Decay Lab demo image: CPU-only torch, non-root, health-checked, stateless.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_NUM_THREADS=1

WORKDIR /app

COPY requirements.txt .
# The CPU wheel first, from PyTorch's CPU index, so the pinned torch==2.13.0 in
# requirements.txt is already satisfied and no CUDA wheels are pulled (about 2.5 GB smaller).
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install -r requirements.txt

# The code stays root-owned and read-only to the app, which writes nothing to disk (caches
# live in the process). A numeric uid, so Kubernetes' runAsNonRoot can verify it.
RUN useradd --create-home --uid 1000 lab
COPY . .
# plotly.js beside the app for the charts kept mounted (ui/live_chart.py), while the code is still writable.
RUN python -c "from ui.live_chart import serve_plotly_js; assert serve_plotly_js()"
USER 1000

EXPOSE 8501
# The container keeps no state: any replica can answer any visitor; probe this endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"]

CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
