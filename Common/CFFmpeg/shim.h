// Swift cannot import function-like macros or some constants from the libav* headers;
// each one gets a prefixed static inline function here. Nothing else lives in this file.
#ifndef GF_CFFMPEG_SHIM_H
#define GF_CFFMPEG_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavutil/avutil.h>
#include <libavutil/opt.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libavutil/display.h>
#include <libavutil/mastering_display_metadata.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersrc.h>
#include <libavfilter/buffersink.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>

static inline int gf_AVERROR(int e) { return AVERROR(e); }
static inline int gf_AVERROR_EOF(void) { return AVERROR_EOF; }
static inline int gf_AVERROR_EAGAIN(void) { return AVERROR(EAGAIN); }
static inline int gf_AVERROR_INVALIDDATA(void) { return AVERROR_INVALIDDATA; }
static inline int gf_AVERROR_PATCHWELCOME(void) { return AVERROR_PATCHWELCOME; }
static inline int gf_AVERROR_DECODER_NOT_FOUND(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int gf_AVERROR_ENCODER_NOT_FOUND(void) { return AVERROR_ENCODER_NOT_FOUND; }
static inline int64_t gf_AV_NOPTS_VALUE(void) { return AV_NOPTS_VALUE; }
static inline AVRational gf_AV_TIME_BASE_Q(void) { return AV_TIME_BASE_Q; }
static inline int gf_AVFMT_NOFILE(void) { return AVFMT_NOFILE; }
static inline int gf_AVFMT_GLOBALHEADER(void) { return AVFMT_GLOBALHEADER; }
static inline int gf_AVFMT_TS_DISCONT(void) { return AVFMT_TS_DISCONT; }
static inline int gf_AV_CODEC_FLAG_GLOBAL_HEADER(void) { return AV_CODEC_FLAG_GLOBAL_HEADER; }
static inline int gf_AV_PKT_FLAG_KEY(void) { return AV_PKT_FLAG_KEY; }
static inline int gf_AV_CODEC_PROP_TEXT_SUB(void) { return AV_CODEC_PROP_TEXT_SUB; }
static inline int gf_AV_PKT_FLAG_DISCARD(void) { return AV_PKT_FLAG_DISCARD; }
static inline int gf_AV_PKT_FLAG_CORRUPT(void) { return AV_PKT_FLAG_CORRUPT; }
static inline int gf_AVSEEK_FLAG_BACKWARD(void) { return AVSEEK_FLAG_BACKWARD; }
static inline int gf_AVSEEK_FLAG_BYTE(void) { return AVSEEK_FLAG_BYTE; }
static inline int gf_AVSEEK_FLAG_ANY(void) { return AVSEEK_FLAG_ANY; }
static inline int gf_AVIO_FLAG_WRITE(void) { return AVIO_FLAG_WRITE; }
static inline int gf_SWS_BICUBIC(void) { return SWS_BICUBIC; }
static inline int gf_SWS_AREA(void) { return SWS_AREA; }
static inline int gf_SWS_ACCURATE_RND(void) { return SWS_ACCURATE_RND; }
static inline int gf_AV_CODEC_FLAG_QSCALE(void) { return AV_CODEC_FLAG_QSCALE; }
static inline int gf_FF_QP2LAMBDA(void) { return FF_QP2LAMBDA; }
static inline int gf_AV_CODEC_FLAG_PSNR(void) { return AV_CODEC_FLAG_PSNR; }
static inline int gf_AV_CODEC_FLAG_INTERLACED_DCT(void) { return AV_CODEC_FLAG_INTERLACED_DCT; }
static inline int gf_AV_CODEC_FLAG_INTERLACED_ME(void) { return AV_CODEC_FLAG_INTERLACED_ME; }
static inline int gf_AV_LOG_QUIET(void) { return AV_LOG_QUIET; }
static inline int gf_FF_COMPLIANCE_NORMAL(void) { return FF_COMPLIANCE_NORMAL; }
static inline int gf_AV_OPT_SEARCH_CHILDREN(void) { return AV_OPT_SEARCH_CHILDREN; }

static inline const char *gf_av_err2str(int errnum, char *buf, size_t size) {
    av_strerror(errnum, buf, size);
    return buf;
}
#endif
