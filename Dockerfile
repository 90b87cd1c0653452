# Weight Decay Lab demo image: CPU-only torch, non-root, health-checked.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    OMP_NUM_THREADS=1

WORKDIR /app

COPY requirements.txt .
# The CPU wheel first, so the pinned torch==2.13.0 below is already satisfied and no CUDA
# wheels are pulled (about 2.5 GB smaller).
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install -r requirements.txt

RUN useradd --create-home --uid 1000 lab
COPY --chown=lab:lab . .
USER lab

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"

CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
