from functools import partial

from tasks.config import ParallelSettings, Settings
from tasks.ingest import ingest
from tasks.parallel import chunked, map_chunks
from tasks.per_article import clean_chunk, identify_chunk
from tasks.split import split_documents

from tests.conftest import SEEDS
from tests.helpers import DATE


def test_chunks_keep_order_and_cover_everything():
    assert chunked(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]


def test_workers_give_the_same_articles_as_one_process():
    settings = Settings()
    ingested = ingest(SEEDS, settings.input.extensions, settings.ingest, settings.input.fields)
    drafts = split_documents(ingested.documents, DATE, settings.split).articles
    clean = partial(clean_chunk, settings=settings, learned=frozenset())
    one = map_chunks(clean, drafts, ParallelSettings(workers=1))
    # Chunks of one article over two worker processes.
    two = map_chunks(clean, drafts, ParallelSettings(workers=2, chunk_articles=1))
    assert two == one and len(one) == 3
    identify = partial(identify_chunk, settings=settings.langid)
    assert map_chunks(identify, two, ParallelSettings(workers=2, chunk_articles=1)) == identify_chunk(one, settings.langid)
